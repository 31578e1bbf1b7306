package io.shelfstream.schemas.generator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;

/** Builds catalog rows: books with titles, authors, genres, levels and descriptions; students with profiles. */
final class CatalogFactory {

    /** Share of books without a description. */
    static final double MISSING_DESCRIPTION = 0.08;
    /** Share of books with a very long description (300-900 words). */
    static final double LONG_DESCRIPTION = 0.04;
    /** Share of books with a short description (12-39 words). */
    static final double SHORT_DESCRIPTION = 0.06;

    private CatalogFactory() {
    }

    static String bookId(int index) {
        return String.format(Locale.ROOT, "b-%06d", index + 1);
    }

    static String studentId(int index) {
        return String.format(Locale.ROOT, "s-%06d", index + 1);
    }

    static List<CatalogBook> books(Rand r, int count) {
        // prolific authors: a pool smaller than the collection, drawn with a skew
        List<String> authors = new ArrayList<>();
        int poolSize = Math.max(8, count / 3);
        for (int i = 0; i < poolSize; i++) {
            authors.add(r.pick(Vocabulary.FIRST_NAMES) + " " + r.pick(Vocabulary.LAST_NAMES));
        }
        ZipfSampler authorPick = new ZipfSampler(poolSize, 0.8);
        List<CatalogBook> books = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String primary = Vocabulary.GENRES.get(r.weighted(Vocabulary.GENRE_WEIGHTS));
            Set<String> genres = new LinkedHashSet<>();
            genres.add(primary);
            int extra = r.weighted(new double[] {45, 40, 15});
            for (int g = 0; g < extra; g++) {
                genres.add(r.pick(Vocabulary.RELATED.get(primary)));
            }
            boolean nonFiction = Vocabulary.NON_FICTION.contains(primary);
            String level = Vocabulary.READING_LEVELS.get(r.weighted(Vocabulary.READING_LEVEL_WEIGHTS));
            String title = nonFiction ? nonFictionTitle(r) : fictionTitle(r);
            String author = r.chance(0.01) ? null : authors.get(authorPick.sample(r));
            String description = description(r, nonFiction, primary, level);
            String isbn = r.chance(0.03) ? null : isbn13(r);
            books.add(new CatalogBook(bookId(i), isbn, title, author, description, List.copyOf(genres), level));
        }
        return books;
    }

    static List<CatalogStudent> students(Rand r, int count) {
        List<CatalogStudent> students = new ArrayList<>(count);
        double[] gradeWeights = {6, 7, 8, 9, 10, 10, 10, 9, 8, 8, 8, 7};
        for (int i = 0; i < count; i++) {
            Integer grade = r.chance(0.01) ? null : 1 + r.weighted(gradeWeights);
            Set<String> interests = new LinkedHashSet<>();
            int n = r.between(1, 4);
            while (interests.size() < n) {
                interests.add(r.pick(Vocabulary.INTERESTS));
            }
            Set<String> preferred = new LinkedHashSet<>();
            if (!r.chance(0.05)) {
                for (String interest : interests) {
                    if (r.chance(0.7)) {
                        preferred.add(r.pick(Vocabulary.INTEREST_GENRES.get(interest)));
                    }
                }
                if (preferred.isEmpty()) {
                    preferred.add(Vocabulary.GENRES.get(r.weighted(Vocabulary.GENRE_WEIGHTS)));
                }
            }
            String text = r.chance(0.03) ? null : joinNaturally(new ArrayList<>(interests));
            students.add(new CatalogStudent(studentId(i), grade, text, List.copyOf(preferred)));
        }
        return students;
    }

    /** The reading level a student of a grade mostly reads. */
    static int levelOfGrade(Integer grade) {
        if (grade == null) {
            return 3;
        }
        if (grade <= 1) {
            return 0;
        } else if (grade <= 2) {
            return 1;
        } else if (grade <= 4) {
            return 2;
        } else if (grade <= 8) {
            return 3;
        }
        return 4;
    }

    private static String fictionTitle(Rand r) {
        String adj = r.pick(Vocabulary.TITLE_ADJECTIVES);
        String noun = r.pick(Vocabulary.TITLE_NOUNS);
        String title = switch (r.nextInt(8)) {
            case 0 -> "The " + adj + " " + noun;
            case 1 -> noun + " of " + r.pick(Vocabulary.TITLE_PLACES);
            case 2 -> r.pick(Vocabulary.FIRST_NAMES) + " and the " + adj + " " + noun;
            case 3 -> "The " + noun + "'s " + r.pick(Vocabulary.TITLE_NOUNS);
            case 4 -> "A " + noun + " in " + r.pick(Vocabulary.TITLE_PLACES);
            case 5 -> "The Last " + noun + " of " + r.pick(Vocabulary.TITLE_PLACES);
            case 6 -> "Beyond the " + adj + " " + noun;
            default -> adj + " " + noun + "s";
        };
        return r.chance(0.12) ? title + ": Book " + r.between(2, 6) : title;
    }

    private static String nonFictionTitle(Rand r) {
        String topic = r.pick(Vocabulary.NF_TOPICS);
        String cap = Character.toUpperCase(topic.charAt(0)) + topic.substring(1);
        return switch (r.nextInt(6)) {
            case 0 -> "Inside " + cap;
            case 1 -> "The Story of " + cap;
            case 2 -> cap + ": A Field Guide";
            case 3 -> "Everything About " + cap;
            case 4 -> "The Big Book of " + cap;
            default -> "Discovering " + cap;
        };
    }

    private static String description(Rand r, boolean nonFiction, String genre, String level) {
        double x = r.nextDouble();
        int target;
        if (x < MISSING_DESCRIPTION) {
            return null;
        } else if (x < MISSING_DESCRIPTION + LONG_DESCRIPTION) {
            target = r.between(300, 900);
        } else if (x < MISSING_DESCRIPTION + LONG_DESCRIPTION + SHORT_DESCRIPTION) {
            target = r.between(12, 36);
        } else {
            // most descriptions: sentences are at most ~22 words, so a target up to 125 stays within 150
            target = r.between(40, 125);
        }
        StringBuilder sb = new StringBuilder();
        int words = 0;
        int sentences = 0;
        while (words < target) {
            String s = nonFiction ? nonFictionSentence(r, sentences) : fictionSentence(r, sentences, genre, level);
            if (sentences > 0) {
                sb.append(sentences % 7 == 0 && target > 250 ? "\n\n" : " ");
            }
            sb.append(s);
            words += countWords(s);
            sentences++;
        }
        return sb.toString();
    }

    private static String fictionSentence(Rand r, int index, String genre, String level) {
        String hero = hero(r);
        if (index == 0) {
            return switch (r.nextInt(3)) {
                case 0 -> "When " + r.pick(Vocabulary.EVENTS) + ", " + hero + " must " + r.pick(Vocabulary.GOALS) + ".";
                case 1 -> capitalize(hero) + " lives in " + r.pick(Vocabulary.PLACES)
                        + ", where nothing ever seems to happen.";
                default -> "Set in " + r.pick(Vocabulary.PLACES) + ", this " + genre.replace('-', ' ')
                        + " story follows " + hero + ".";
            };
        }
        return switch (r.nextInt(9)) {
            case 0 -> "Everything changes when " + r.pick(Vocabulary.EVENTS) + ".";
            case 1 -> "With the help of " + r.pick(Vocabulary.COMPANIONS) + ", they set out to "
                    + r.pick(Vocabulary.GOALS) + ".";
            case 2 -> "But " + r.pick(Vocabulary.OBSTACLES) + " stands in the way.";
            case 3 -> "A story about " + r.pick(Vocabulary.THEMES) + " and " + r.pick(Vocabulary.THEMES) + ".";
            case 4 -> "Along the way they learn that " + r.pick(Vocabulary.THEMES) + " can matter more than winning.";
            case 5 -> r.pick(Vocabulary.QUALITIES);
            case 6 -> "Readers of " + level.replace('-', ' ') + " books who love " + genre.replace('-', ' ')
                    + " will find plenty to enjoy.";
            case 7 -> "Soon " + hero + " discovers that " + r.pick(Vocabulary.PLACES) + " hides more than it shows.";
            default -> "Time is running out, and " + r.pick(Vocabulary.OBSTACLES) + " makes every choice harder.";
        };
    }

    private static String nonFictionSentence(Rand r, int index) {
        if (index == 0) {
            return switch (r.nextInt(3)) {
                case 0 -> "An illustrated introduction to "
                        + r.pick(Vocabulary.NF_TOPICS).toLowerCase(Locale.ROOT) + ".";
                case 1 -> "Everything young readers want to know about "
                        + r.pick(Vocabulary.NF_TOPICS).toLowerCase(Locale.ROOT) + ".";
                default -> "A clear, lively guide to " + r.pick(Vocabulary.NF_TOPICS).toLowerCase(Locale.ROOT) + ".";
            };
        }
        return switch (r.nextInt(5)) {
            case 0 -> "Short chapters explain " + r.pick(Vocabulary.NF_ASPECTS) + ", " + r.pick(Vocabulary.NF_ASPECTS)
                    + " and " + r.pick(Vocabulary.NF_ASPECTS) + ".";
            case 1 -> "Includes " + r.pick(Vocabulary.NF_EXTRAS) + ".";
            case 2 -> "The book also looks at " + r.pick(Vocabulary.NF_ASPECTS) + ".";
            case 3 -> "Written by " + r.pick(Vocabulary.FIRST_NAMES) + " " + r.pick(Vocabulary.LAST_NAMES)
                    + ", who has spent years explaining " + r.pick(Vocabulary.NF_TOPICS).toLowerCase(Locale.ROOT)
                    + " to curious readers.";
            default -> r.pick(Vocabulary.QUALITIES);
        };
    }

    private static String hero(Rand r) {
        String h = r.pick(Vocabulary.HEROES);
        return h.contains("%s") ? String.format(Locale.ROOT, h, r.pick(Vocabulary.FIRST_NAMES)) : h;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Words separated by white space. */
    static int countWords(String s) {
        int n = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            boolean space = Character.isWhitespace(s.charAt(i));
            if (!space && !inWord) {
                n++;
            }
            inWord = !space;
        }
        return n;
    }

    /** {@code a}, {@code a and b}, {@code a, b and c}. */
    static String joinNaturally(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** A syntactically valid ISBN-13 in the 978 range. */
    private static String isbn13(Rand r) {
        StringBuilder sb = new StringBuilder("978");
        for (int i = 0; i < 9; i++) {
            sb.append(r.nextInt(10));
        }
        int sum = 0;
        for (int i = 0; i < 12; i++) {
            sum += (sb.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
        }
        return sb.append((10 - sum % 10) % 10).toString();
    }
}
