package io.shelfstream.job.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The texts of {@code ./shelfstream bench embedding}: read from a file, or generated.
 *
 * <p>The generated corpus is reproducible: the same seed and size give the same texts on every machine. Each text
 * is a book-blurb-like run of sentences whose total length is drawn uniformly from {@value #MIN_WORDS} to
 * {@value #MAX_WORDS} words, which averages about 120 model tokens and mixes short and long texts the way a
 * library catalog does.
 */
final class BenchCorpus {

    /** Fewest words in a generated text. */
    static final int MIN_WORDS = 20;

    /** Most words in a generated text. */
    static final int MAX_WORDS = 180;

    private static final String[] WORDS = (
            "the a an of and to in on with for from by at as into over under after before during through across "
            + "girl boy dragon wizard lighthouse island storm ship river forest mountain village city school "
            + "library book map secret letter key door garden winter summer night morning friend brother sister "
            + "mother father grandmother teacher captain king queen stranger fox wolf horse owl cat dog whale "
            + "journey adventure mystery war peace family friendship courage fear hope memory dream truth lie "
            + "discovers finds loses must decides learns travels escapes returns builds hides remembers fights "
            + "helps saves follows searches writes reads opens crosses climbs watches waits runs sails flies "
            + "old young brave quiet strange dark bright hidden lost ancient small great northern frozen golden "
            + "curious lonely clever wild gentle broken forgotten distant sudden impossible extraordinary "
            + "she he they who her his their everything nothing something everyone nobody together alone "
            + "finally never always again soon once still almost only even already unexpected "
            + "astronomer blacksmith shipwright cartographer apprentice orphan detective scientist inventor")
            .split(" ");

    private BenchCorpus() {
    }

    /**
     * Generates {@code count} texts from {@code seed}.
     *
     * @param count the number of texts
     * @param seed  the random seed
     * @return the texts
     */
    static List<String> generate(int count, long seed) {
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int words = MIN_WORDS + random.nextInt(MAX_WORDS - MIN_WORDS + 1);
            StringBuilder text = new StringBuilder();
            int sentence = 0;
            int sentenceLength = 6 + random.nextInt(10);
            for (int w = 0; w < words; w++) {
                String word = WORDS[random.nextInt(WORDS.length)];
                if (sentence == 0) {
                    text.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
                } else {
                    text.append(' ').append(word);
                }
                sentence++;
                if (sentence == sentenceLength || w == words - 1) {
                    text.append(random.nextInt(8) == 0 ? ',' : '.');
                    if (w < words - 1) {
                        text.append(' ');
                    }
                    sentence = 0;
                    sentenceLength = 6 + random.nextInt(10);
                }
            }
            texts.add(text.toString());
        }
        return texts;
    }

    /**
     * Reads texts from a file: one per non-blank line, either a JSON object with a string field {@code "text"}
     * (the format {@code ./shelfstream embed} takes) or, for a line that does not start with an opening brace,
     * the line itself.
     *
     * @param file  the file
     * @param limit read at most this many texts
     * @return the texts
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the line, if a JSON line has no string {@code "text"}
     */
    static List<String> read(Path file, int limit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while (texts.size() < limit && (line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                if (!line.stripLeading().startsWith("{")) {
                    texts.add(line);
                    continue;
                }
                JsonNode text;
                try {
                    text = json.readTree(line).get("text");
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(file + " line " + lineNumber + ": not JSON ("
                            + e.getOriginalMessage() + ")");
                }
                if (text == null || !text.isTextual()) {
                    throw new IllegalArgumentException(file + " line " + lineNumber
                            + ": a JSON line needs a string field \"text\"");
                }
                texts.add(text.textValue());
            }
        }
        return texts;
    }
}
