package dev.fl4j.core.runtime;

import dev.fl4j.core.computation.DoubleSumAggregationFactory;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.testing.Fuzz;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockFoldsFuzzTest {

    @Test
    void decodingAnyBytesAsBlockFoldsEndsInMalformedData() {
        byte[] seed = BlockFolds.encode(
                List.of(
                        ClientFold.forBlock(ClientFold.SUM, null),
                        ClientFold.forBlock(ClientFold.WEIGHTED_MEAN, null),
                        ClientFold.forBlock(ClientFold.AGGREGATE, DoubleSumAggregationFactory.of("2.5"))),
                List.of(
                        List.of(new ShippedPass.Ref.Node(0)),
                        List.of(new ShippedPass.Ref.Node(1), new ShippedPass.Ref.ClientInput(0)),
                        List.of(new ShippedPass.Ref.Node(1))));
        BlockFolds.decode(seed, 2, 0, 1);
        Fuzz.named("block folds")
                .seed(seed)
                .expecting(MalformedDataException.class)
                .inputs(5_000)
                .run(bytes -> BlockFolds.decode(bytes, 2, 1, 1));
    }
}
