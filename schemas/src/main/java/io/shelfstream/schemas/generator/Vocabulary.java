package io.shelfstream.schemas.generator;

import java.util.List;
import java.util.Map;

/** The words the generator builds titles, descriptions, names and interests from. */
final class Vocabulary {

    private Vocabulary() {
    }

    /** Genres with their relative frequency in a school library. */
    static final List<String> GENRES = List.of(
            "adventure", "fantasy", "mystery", "science-fiction", "realistic-fiction", "historical-fiction",
            "humor", "graphic-novel", "horror", "romance", "poetry", "friendship", "animals", "sports",
            "science", "nature", "history", "biography", "art", "non-fiction");
    static final double[] GENRE_WEIGHTS = {
        12, 12, 9, 7, 9, 6, 7, 8, 3, 3, 2, 5, 5, 4, 6, 5, 4, 4, 2, 6};

    /** Genres that are non-fiction: their descriptions and titles read like reference books. */
    static final List<String> NON_FICTION = List.of("science", "nature", "history", "biography", "art", "sports",
            "non-fiction");

    /** Genres that often come together with a primary genre. */
    static final Map<String, List<String>> RELATED = Map.ofEntries(
            Map.entry("adventure", List.of("fantasy", "mystery", "friendship", "animals", "historical-fiction")),
            Map.entry("fantasy", List.of("adventure", "friendship", "humor", "romance")),
            Map.entry("mystery", List.of("adventure", "horror", "humor", "historical-fiction")),
            Map.entry("science-fiction", List.of("adventure", "science", "friendship")),
            Map.entry("realistic-fiction", List.of("friendship", "sports", "humor", "romance")),
            Map.entry("historical-fiction", List.of("history", "adventure", "friendship")),
            Map.entry("humor", List.of("friendship", "realistic-fiction", "graphic-novel")),
            Map.entry("graphic-novel", List.of("humor", "fantasy", "adventure", "science-fiction")),
            Map.entry("horror", List.of("mystery", "fantasy")),
            Map.entry("romance", List.of("realistic-fiction", "historical-fiction")),
            Map.entry("poetry", List.of("nature", "art", "friendship")),
            Map.entry("friendship", List.of("realistic-fiction", "humor", "animals")),
            Map.entry("animals", List.of("nature", "friendship", "adventure")),
            Map.entry("sports", List.of("realistic-fiction", "biography", "non-fiction")),
            Map.entry("science", List.of("non-fiction", "nature")),
            Map.entry("nature", List.of("non-fiction", "science", "animals")),
            Map.entry("history", List.of("non-fiction", "biography")),
            Map.entry("biography", List.of("non-fiction", "history", "sports")),
            Map.entry("art", List.of("non-fiction", "history")),
            Map.entry("non-fiction", List.of("science", "history", "nature")));

    /** Reading levels from youngest to oldest, with their share of the collection. */
    static final List<String> READING_LEVELS = List.of(
            "picture-book", "early-reader", "chapter-book", "middle-grade", "young-adult");
    static final double[] READING_LEVEL_WEIGHTS = {10, 14, 20, 34, 22};

    static final List<String> FIRST_NAMES = List.of(
            "Mara", "Dev", "Ines", "Hannah", "Pieter", "Leila", "Tomas", "Amara", "Kenji", "Sofia", "Omar", "Greta",
            "Lucas", "Priya", "Mateo", "Yuki", "Noah", "Zara", "Elias", "Chloe", "Ravi", "Freya", "Diego", "Anika",
            "Jonah", "Mei", "Felix", "Nadia", "Oscar", "Lena", "Samuel", "Aisha", "Theo", "Ingrid", "Kofi", "Rosa",
            "Arjun", "Clara", "Emil", "Fatima", "Hugo", "Iris", "Jasper", "Keira", "Liam", "Maya", "Nico", "Olivia",
            "Pablo", "Quinn", "Rafael", "Sana", "Tobias", "Uma", "Victor", "Wren", "Xavier", "Yara", "Zeke", "Bea");

    static final List<String> LAST_NAMES = List.of(
            "Ellison", "Chandran", "Navarro", "Okafor", "Vos", "Haddad", "Lindqvist", "Mbeki", "Tanaka", "Rossi",
            "Farouk", "Brandt", "Moreau", "Iyer", "Castillo", "Sato", "Whitfield", "Kowalski", "Achebe", "Dubois",
            "Nakamura", "Ferreira", "Novak", "Osei", "Petrov", "Quintero", "Reyes", "Schmidt", "Takahashi", "Umar",
            "Varga", "Walsh", "Xu", "Yilmaz", "Zimmermann", "Abbott", "Bianchi", "Costa", "Dalton", "Eriksen",
            "Fischer", "Gallagher", "Hoffman", "Ivanova", "Jensen", "Kaur", "Larsen", "Mendoza", "Nguyen", "O'Brien",
            "Park", "Quinn", "Rahman", "Silva", "Thornton", "Ueda", "Villanueva", "Wagner", "Young", "Zhou",
            "Adeyemi", "Bergstrom", "Cho", "Delgado", "Evans", "Fontaine", "Gupta", "Hale", "Ito", "Jovanovic");

    static final List<String> TITLE_ADJECTIVES = List.of(
            "Clockwork", "Hidden", "Silent", "Lost", "Burning", "Frozen", "Secret", "Midnight", "Forgotten",
            "Crooked", "Golden", "Hollow", "Wandering", "Broken", "Glass", "Paper", "Electric", "Sunken", "Last",
            "Impossible", "Brave", "Tiny", "Enormous", "Invisible", "Whispering", "Stolen", "Starlit", "Restless");

    static final List<String> TITLE_NOUNS = List.of(
            "Fox", "Lighthouse", "Map", "Dragon", "Garden", "Compass", "Library", "Island", "Kingdom", "Clock",
            "River", "Robot", "Moon", "Orchard", "Feather", "Bridge", "Lantern", "Storm", "Wolf", "Key", "Tower",
            "Comet", "Violin", "Harbor", "Forest", "Crown", "Mirror", "Telescope", "Sparrow", "Whale", "Canyon");

    static final List<String> TITLE_PLACES = List.of(
            "the Northern Ice", "the Deep Woods", "Saltwater Bay", "the Sky", "the Last Valley", "Tin Street",
            "the Sunken City", "Maple Hill", "the Red Desert", "the Floating Market", "Ember Falls",
            "the Glass Mountains", "Willow Creek", "the Outer Rim", "Harrow School", "Lantern Row");

    static final List<String> NF_TOPICS = List.of(
            "Volcanoes", "Honeybees", "the Human Heart", "Ancient Egypt", "Black Holes", "Rainforests", "Sharks",
            "the Moon Landing", "Dinosaurs", "Weather", "Electricity", "the Roman Empire", "Coral Reefs",
            "Simple Machines", "the Solar System", "Bridges", "Soccer", "the Olympic Games", "Rivers", "Castles",
            "Owls", "Earthquakes", "the Printing Press", "Painting", "Music", "Robots", "Trees", "the Ocean Floor",
            "Vikings", "Chemistry in the Kitchen", "Birds of Prey", "the Silk Road", "Maps", "Pyramids", "Glaciers");

    static final List<String> NF_ASPECTS = List.of(
            "how scientists study it", "the people who made the big discoveries", "what it looks like up close",
            "common myths and what is actually true", "how it changed everyday life", "the tools experts use",
            "what we still do not know", "how it works step by step", "why it matters today",
            "record-breaking facts", "what happens when things go wrong", "how it is changing");

    static final List<String> NF_EXTRAS = List.of(
            "experiments that can be done safely at home or in class", "a glossary and an index",
            "maps, timelines and diagrams", "full-colour photographs on every page", "a list of further reading",
            "quizzes at the end of each chapter", "interviews with working scientists", "step-by-step activities");

    static final List<String> HEROES = List.of(
            "a shy eleven-year-old", "a stubborn girl named %s", "a boy named %s who collects old maps",
            "an apprentice clockmaker", "twin brothers", "a retired detective", "a young dragon",
            "a curious robot", "a lonely lighthouse keeper", "the new kid at school", "a street musician",
            "a runaway princess", "a farm girl with a secret", "a boy who cannot stop telling jokes",
            "a girl named %s who talks to birds", "an orphaned mapmaker", "a nervous goalkeeper",
            "a family of field mice", "a ghost who has forgotten its name", "two best friends");

    static final List<String> PLACES = List.of(
            "a flooded city", "a small fishing village", "a boarding school in the mountains",
            "a space station orbiting Jupiter", "a museum that might be haunted", "a town at the edge of the desert",
            "a city of gears and steam", "a quiet suburb", "an island that appears on no map",
            "a crowded apartment building", "a kingdom under the ice", "a travelling circus", "a remote research base",
            "a forest where the trees remember", "a village on the side of a volcano", "a summer camp by a lake");

    static final List<String> EVENTS = List.of(
            "a mysterious letter arrives", "the power goes out across the whole city",
            "a stranger washes up on the beach", "the school library is about to close for good",
            "an old map falls out of a library book", "the river starts flowing backwards",
            "the championship is moved to their town", "a dragon egg hatches in the barn",
            "the family moves across the country", "a signal arrives from deep space",
            "the town's most precious treasure vanishes", "a storm cuts the island off from the mainland");

    static final List<String> GOALS = List.of(
            "find a missing brother", "win the regional science fair", "break an ancient curse",
            "save the town library", "solve a string of impossible thefts", "get home before winter",
            "make the team", "uncover who sank the ship", "keep a promise to a dying friend",
            "find out what really happened that night", "return a lost creature to its family",
            "stop an ancient winter from returning", "build a rocket from scrap");

    static final List<String> OBSTACLES = List.of(
            "a rival who will stop at nothing", "a secret that could tear the family apart",
            "a deadline only three days away", "a map with its most important pieces missing",
            "grown-ups who refuse to listen", "a storm that will not end", "their own fear of the dark",
            "a friendship that is falling apart", "a villain who always seems one step ahead");

    static final List<String> COMPANIONS = List.of(
            "a grumpy cat", "an unlikely new friend", "an eccentric grandmother", "a talking crow",
            "the school caretaker", "a homesick alien", "a loyal dog", "a clever younger sister",
            "a retired sea captain", "a robot built from spare parts");

    static final List<String> THEMES = List.of(
            "friendship", "courage", "grief", "belonging", "honesty", "family", "growing up", "trust",
            "forgiveness", "curiosity", "kindness", "identity", "hope", "resilience");

    static final List<String> QUALITIES = List.of(
            "Funny, fast and full of heart.", "A gripping read that is hard to put down.",
            "Told with warmth and plenty of humour.", "Beautifully illustrated throughout.",
            "Perfect for reading aloud.", "A thoughtful story that stays with you.",
            "Short chapters make it ideal for newly independent readers.", "Packed with twists until the last page.",
            "An award-winning favourite of school libraries.", "The first book in a much-loved series.");

    static final List<String> INTERESTS = List.of(
            "space", "robots", "horses", "soccer", "drawing", "dinosaurs", "mysteries", "cooking", "ancient Egypt",
            "video games", "music", "ocean animals", "coding", "magic tricks", "building things", "basketball",
            "poetry", "dragons", "insects", "history", "volcanoes", "comics", "dancing", "photography", "chess",
            "gardening", "myths and legends", "cars", "birds", "theatre", "inventions", "swimming", "ghost stories");

    /** The genres an interest points to. */
    static final Map<String, List<String>> INTEREST_GENRES = Map.ofEntries(
            Map.entry("space", List.of("science-fiction", "science")), Map.entry("robots", List.of("science-fiction")),
            Map.entry("horses", List.of("animals")), Map.entry("soccer", List.of("sports")),
            Map.entry("drawing", List.of("art", "graphic-novel")), Map.entry("dinosaurs", List.of("science", "nature")),
            Map.entry("mysteries", List.of("mystery")), Map.entry("cooking", List.of("non-fiction")),
            Map.entry("ancient Egypt", List.of("history", "historical-fiction")),
            Map.entry("video games", List.of("science-fiction", "adventure")), Map.entry("music", List.of("art")),
            Map.entry("ocean animals", List.of("nature", "animals")), Map.entry("coding", List.of("science")),
            Map.entry("magic tricks", List.of("fantasy", "humor")), Map.entry("building things", List.of("science")),
            Map.entry("basketball", List.of("sports")), Map.entry("poetry", List.of("poetry")),
            Map.entry("dragons", List.of("fantasy")), Map.entry("insects", List.of("nature")),
            Map.entry("history", List.of("history", "historical-fiction")), Map.entry("volcanoes", List.of("science")),
            Map.entry("comics", List.of("graphic-novel", "humor")), Map.entry("dancing", List.of("art")),
            Map.entry("photography", List.of("art")), Map.entry("chess", List.of("realistic-fiction")),
            Map.entry("gardening", List.of("nature")), Map.entry("myths and legends", List.of("fantasy", "history")),
            Map.entry("cars", List.of("non-fiction")), Map.entry("birds", List.of("nature", "animals")),
            Map.entry("theatre", List.of("art", "realistic-fiction")), Map.entry("inventions", List.of("biography")),
            Map.entry("swimming", List.of("sports")), Map.entry("ghost stories", List.of("horror", "mystery")));
}
