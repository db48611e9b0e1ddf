package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.data.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeafJsonTest {

    @TempDir
    Path dir;

    @Test
    void femnistOverSeveralFilesReadsUsersOnDemand() throws Exception {
        DatasetFixtures.femnistJson(dir.resolve("all_data_0.json"), 0, 3);
        DatasetFixtures.femnistJson(dir.resolve("all_data_1.json"), 3, 2);
        LeafJson leaf = LeafJson.femnist(dir);
        assertEquals(List.of("f0_00", "f1_00", "f2_00", "f3_00", "f4_00"), leaf.clientIds());
        assertEquals("<x=float32[28,28,1],y=int32>", leaf.elementType().toString());
        Examples f4 = leaf.examplesFor("f4_00");
        assertEquals(2, f4.size());
        assertEquals(leaf.numSamples("f4_00"), f4.size());
        assertEquals(((4 * 7 + 1 * 3 + 10) % 100) / 100f, f4.floats("x")[784 + 10]);
        assertArrayEquals(new int[] {4, 5}, f4.ints("y"));
        assertEquals(3, leaf.datasetFor("f2_00").count());
        assertThrows(IllegalArgumentException.class, () -> leaf.datasetFor("f9_00"));
    }

    @Test
    void shakespeareMapsCharactersWithDocumentedVocabulary() throws Exception {
        Path f = dir.resolve("shakespeare.json");
        Files.writeString(
                f,
                "{\"users\": [\"THE_TEMPEST_ARIEL\", \"HAMLET\"], \"num_samples\": [2, 1], \"user_data\": {"
                        + "\"HAMLET\": {\"x\": [\"To be\"], \"y\": [\",\"]},"
                        + "\"THE_TEMPEST_ARIEL\": {\"x\": [\"All h\", \"ail~\\n\"], \"y\": [\"a\", \"G\"]}}}");
        LeafJson leaf = LeafJson.shakespeare(f);
        assertEquals("<x=int32[5],y=int32>", leaf.elementType().toString());
        Examples ariel = leaf.examplesFor("THE_TEMPEST_ARIEL");
        int[] x = ariel.ints("x");
        assertEquals(ShakespeareVocabulary.CHARACTERS.indexOf('A'), x[0]);
        assertEquals(25, x[0]);
        assertEquals(1, x[3], "space");
        assertEquals(ShakespeareVocabulary.OOV, x[8], "'~' is out of vocabulary");
        assertEquals(0, x[9], "newline");
        assertArrayEquals(new int[] {ShakespeareVocabulary.id('a'), ShakespeareVocabulary.id('G')}, ariel.ints("y"));
        assertEquals(81, ShakespeareVocabulary.SIZE);
        assertEquals('G', ShakespeareVocabulary.character(ariel.ints("y")[1]));
    }

    @Test
    void badFilesAreNamedWithWhatIsWrong() throws Exception {
        Path f = DatasetFixtures.femnistJson(dir.resolve("a.json"), 0, 2);
        String good = Files.readString(f);

        Files.writeString(f, good.substring(0, good.length() - 200));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("corrupt JSON"), e.getMessage());

        Files.writeString(f, good.replace("\"num_samples\": [1, 2]", "\"num_samples\": [1]"));
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(
                e.getMessage().contains("\"users\" lists 2 users but \"num_samples\" has 1 entries"), e.getMessage());

        Files.writeString(f, good.replace("\"num_samples\": [1, 2]", "\"num_samples\": [1, 3]"));
        LeafJson leaf = LeafJson.femnist(f);
        e = assertThrows(DatasetFileException.class, () -> leaf.datasetFor("f1_00"));
        assertTrue(
                e.getMessage().contains("user_data.\"f1_00\" holds 2 examples but num_samples says 3"), e.getMessage());

        Files.writeString(f, good.replace("[0.0, 0.01, 0.02,", "[0.01, 0.02,"));
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f).examplesFor("f0_00"));
        assertTrue(
                e.getMessage().contains("user_data.\"f0_00\".x[0] holds 783 pixel values, expected 784"),
                e.getMessage());

        Files.writeString(f, good.replace("\"f1_00\": {", "\"f7_00\": {"));
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(
                e.getMessage().contains("user 'f1_00' is listed in \"users\" but has no entry in \"user_data\""),
                e.getMessage());

        Files.writeString(f, "[1, 2]");
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(e.getMessage().contains("the file's top level should be an object but is an array"), e.getMessage());

        assertTrue(assertThrows(DatasetFileException.class, () -> LeafJson.femnist(dir.resolve("missing")))
                .getMessage()
                .contains("does not exist"));
    }

    /**
     * num_samples is compared with the data, never used to size the columns: 2^31 - 1 × 784 would be a negative size.
     */
    @Test
    void numSamplesIsCheckedAgainstTheDataNotTrustedForAllocation() throws Exception {
        Path f = DatasetFixtures.femnistJson(dir.resolve("a.json"), 0, 2);
        String good = Files.readString(f);
        Files.writeString(f, good.replace("\"num_samples\": [1, 2]", "\"num_samples\": [1, 2147483647]"));
        LeafJson leaf = LeafJson.femnist(f);
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> leaf.examplesFor("f1_00"));
        assertEquals(f, e.file());
        assertTrue(
                e.getMessage().contains("user_data.\"f1_00\" holds 2 examples but num_samples says 2147483647"),
                e.getMessage());

        Path s = DatasetFixtures.shakespeareJson(dir.resolve("s.json"), 2, 3, 80);
        Files.writeString(
                s, Files.readString(s).replace("\"num_samples\": [3, 3]", "\"num_samples\": [3, 1000000000]"));
        LeafJson shakespeare = LeafJson.shakespeare(s);
        e = assertThrows(DatasetFileException.class, () -> shakespeare.examplesFor("SPEAKER_1"));
        assertTrue(
                e.getMessage().contains("user_data.\"SPEAKER_1\" holds 3 examples but num_samples says 1000000000"),
                e.getMessage());

        Files.writeString(f, good.replace("\"num_samples\": [1, 2]", "\"num_samples\": [1, -2]"));
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(e.getMessage().contains("\"num_samples\"[1] = -2 is negative"), e.getMessage());
    }

    /** A user twice in user_data would hide the first copy; twice in users would be listed twice. */
    @Test
    void usersGivenTwiceAreRejected() throws Exception {
        Path f = DatasetFixtures.femnistJson(dir.resolve("a.json"), 0, 2);
        String good = Files.readString(f);
        int at = good.indexOf("\"f1_00\": {");
        Files.writeString(
                f,
                good.substring(0, at)
                        + good.substring(at)
                                .replace("\"f1_00\": {", "\"f0_00\": {\"x\": [], \"y\": []}, \"f1_00\": {"));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(e.getMessage().contains("Duplicate field 'f0_00'"), e.getMessage());

        Files.writeString(f, good.replace("\"users\": [\"f0_00\", \"f1_00\"]", "\"users\": [\"f0_00\", \"f0_00\"]"));
        e = assertThrows(DatasetFileException.class, () -> LeafJson.femnist(f));
        assertTrue(e.getMessage().contains("\"users\"[1] lists user 'f0_00' a second time"), e.getMessage());
    }
}
