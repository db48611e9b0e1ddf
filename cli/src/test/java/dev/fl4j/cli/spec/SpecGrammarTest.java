package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parser the command line's structured options share: every error names the option, the value, the bad token and
 * the forms.
 */
class SpecGrammarTest {

    private static final SpecGrammar SHAPES =
            new SpecGrammar("shape", List.of("dot", "circle:RADIUS", "grid:ROWS:COLUMNS", "label:TEXT"));

    /** A toy grammar with every kind of parameter. */
    private static String read(String spec) {
        return SHAPES.parse(spec, text -> {
            SpecTerm t = SHAPES.term(text);
            return switch (t.name()) {
                case "dot" -> t.expect(0).name();
                case "circle" -> "circle r=" + t.expect(1).number(0, "RADIUS");
                case "grid" -> "grid " + t.expect(2).whole(0, "ROWS") + "x" + t.whole(1, "COLUMNS");
                case "label" -> "label " + t.rest();
                default -> throw t.unknown();
            };
        });
    }

    @Test
    void readsNamesAndParametersIgnoringCaseAndBlanks() {
        assertEquals("dot", read(" DOT "));
        assertEquals("circle r=2.5", read("circle:2.5"));
        assertEquals("grid 3x4", read("Grid:3:4"));
        assertEquals("label a:b@1,2", read("label:a:b@1,2"), "rest() keeps a parameter with its own grammar whole");
        assertEquals(
                List.of("3", ""),
                SHAPES.term("grid:3:").params(),
                "an empty parameter is kept, so it is counted and refused");
    }

    @Test
    void aBadNumberNamesTheParameterAndTheToken() {
        assertError(
                "circle:big",
                "shape 'circle:big': RADIUS must be a number, got 'big'; valid forms: dot, circle:RADIUS, "
                        + "grid:ROWS:COLUMNS, label:TEXT");
        assertError(
                "grid:3:4.5",
                "shape 'grid:3:4.5': COLUMNS must be a whole number, got '4.5'; valid forms: dot, circle:RADIUS, "
                        + "grid:ROWS:COLUMNS, label:TEXT");
        assertError(
                "grid:99999999999:1",
                "shape 'grid:99999999999:1': ROWS must be a whole number, got '99999999999'; valid forms: dot, "
                        + "circle:RADIUS,"
                        + " grid:ROWS:COLUMNS, label:TEXT");
        assertError(
                "circle:",
                "shape 'circle:': RADIUS must be a number, got ''; valid forms: dot, circle:RADIUS, "
                        + "grid:ROWS:COLUMNS, label:TEXT");
    }

    @Test
    void anUnknownNameIsNamed() {
        assertError(
                "Square:2",
                "shape 'Square:2': unknown shape 'square'; valid forms: dot, circle:RADIUS, grid:ROWS:COLUMNS, "
                        + "label:TEXT");
    }

    @Test
    void aWrongParameterCountQuotesTheForm() {
        assertError(
                "grid:3",
                "shape 'grid:3': 'grid' takes 2 argument(s) (grid:ROWS:COLUMNS), got 1; valid forms: dot, "
                        + "circle:RADIUS,"
                        + " grid:ROWS:COLUMNS, label:TEXT");
        assertError(
                "dot:1",
                "shape 'dot:1': 'dot' takes 0 argument(s) (dot), got 1; valid forms: dot, circle:RADIUS, "
                        + "grid:ROWS:COLUMNS, label:TEXT");
        assertError(
                "grid:3:",
                "shape 'grid:3:': COLUMNS must be a whole number, got ''; valid forms: dot, circle:RADIUS, "
                        + "grid:ROWS:COLUMNS, label:TEXT");
    }

    @Test
    void anEmptyValueAndAFactorysOwnRefusalComeOutTheSameWay() {
        assertError("", "shape '': empty shape; valid forms: dot, circle:RADIUS, grid:ROWS:COLUMNS, label:TEXT");
        assertError(null, "shape 'null': empty shape; valid forms: dot, circle:RADIUS, grid:ROWS:COLUMNS, label:TEXT");
        SpecException e = assertThrows(
                SpecException.class,
                () -> SHAPES.parse("dot", text -> {
                    throw new IllegalArgumentException("dots are out of stock");
                }));
        assertEquals(
                "shape 'dot': dots are out of stock; valid forms: dot, circle:RADIUS, grid:ROWS:COLUMNS, label:TEXT",
                e.getMessage());
    }

    private static void assertError(String spec, String message) {
        SpecException e = assertThrows(SpecException.class, () -> read(spec));
        assertEquals(message, e.getMessage());
        assertEquals("shape", e.option());
        assertEquals(String.valueOf(spec), e.spec());
    }
}
