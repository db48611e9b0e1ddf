package dev.fl4j.cli.spec;

import dev.fl4j.simulation.partition.Partitioner;
import java.util.List;

/**
 * Reads the command line's {@code --partition} into a {@link Partitioner}: {@code iid},
 * {@code dirichlet:ALPHA} ({@link Partitioner#dirichlet}), {@code shards:K} ({@link Partitioner#shards}),
 * {@code quantity:ALPHA} ({@link Partitioner#quantitySkew}). Errors are {@link SpecException}s:
 * {@code partition 'dirichlet:x': ALPHA must be a number, got 'x'; valid forms: ...}.
 */
public final class PartitionSpec {

    /** The accepted forms, as listed in error messages. */
    public static final List<String> FORMS = List.of("iid", "dirichlet:ALPHA", "shards:K", "quantity:ALPHA");

    private static final SpecGrammar GRAMMAR = new SpecGrammar("partition", FORMS);

    private PartitionSpec() {}

    /**
     * The partitioner {@code spec} names.
     *
     * @throws SpecException for an unknown name, a wrong parameter count, a parameter that is not a
     *                       number, or one the partitioner refuses (α not positive, K not positive)
     */
    public static Partitioner parse(String spec) {
        return GRAMMAR.parse(spec, text -> {
            SpecTerm term = GRAMMAR.term(text);
            return switch (term.name()) {
                case "iid" -> {
                    term.expect(0);
                    yield Partitioner.iid();
                }
                case "dirichlet" -> {
                    term.expect(1);
                    yield Partitioner.dirichlet(term.number(0, "ALPHA"));
                }
                case "shards" -> {
                    term.expect(1);
                    yield Partitioner.shards(term.whole(0, "K"));
                }
                case "quantity" -> {
                    term.expect(1);
                    yield Partitioner.quantitySkew(term.number(0, "ALPHA"));
                }
                default -> throw term.unknown();
            };
        });
    }
}
