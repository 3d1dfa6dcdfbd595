package io.synscope.diagnose;

import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.Corpus;
import io.synscope.testutil.Tracked;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classifier's two shortcuts must say exactly what its full rules say, on every connection
 * of every real capture at hand: the clean-close shortcut (a whole diagnosis without the rules)
 * and judging without explaining (what every connection gets, where only the few a report shows
 * are explained).
 */
class ClassifierShortcutsTest {
    private final AnalysisConfig config = AnalysisConfig.defaults();
    private final Classifier classifier = new Classifier(ClassifierConfig.defaults());
    private final List<String> disagreements = new ArrayList<>();
    private int compared;

    @Test
    void shortcutsAgreeWithTheRulesOnEverySample() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("sample-pcaps"))) {
            for (Path sample : files.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)$"))
                    .sorted().toList()) {
                compareOn(sample);
            }
        }
        assertEquals(List.of(), disagreements);
        assertTrue(compared > 100, "compared " + compared);
    }

    /** Other people's captures: mid-stream starts, odd resets, one-way traffic. */
    @Test
    void shortcutsAgreeWithTheRulesOnTheCorpus() throws Exception {
        Path corpus = Corpus.dir();
        try (Stream<Path> files = Files.walk(corpus)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().matches(".*\\.(md|tsv)$")).sorted().toList()) {
                compareOn(file);
            }
        }
        assertEquals(List.of(), disagreements);
        assertTrue(compared > 300, "compared " + compared);
    }

    private void compareOn(Path capture) {
        Tracked.capture(capture, config, (c, reason, now) -> {
            compared++;
            Diagnosis full = classifier.byRules(c, reason, now, KernelView.NONE, true).build();
            Diagnosis quick = classifier.classify(c, reason, now);
            Judgement judged = classifier.judge(c, reason, now);
            Judgement expected = full.judgement();
            if (!quick.equals(full)) {
                disagreements.add(capture + " frame " + c.id() + ": " + quick + " vs " + full);
            }
            if (!judged.equals(expected)) {
                disagreements.add(capture + " frame " + c.id() + ": judged " + judged + " vs "
                        + expected);
            }
        });
    }
}
