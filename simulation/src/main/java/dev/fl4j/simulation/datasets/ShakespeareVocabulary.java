package dev.fl4j.simulation.datasets;

/**
 * The character vocabulary fl4j uses for LEAF's Shakespeare: the 80 characters LEAF's own
 * preprocessing keeps ({@link #CHARACTERS}, in that order), so a character's id is its index
 * there (newline is 0, space 1, {@code 'A'} is 25), and every other character maps to the
 * out-of-vocabulary id {@link #OOV} = 80. The vocabulary size is therefore 81.
 */
public final class ShakespeareVocabulary {

    /** The in-vocabulary characters; a character's id is its index in this string. */
    public static final String CHARACTERS =
            "\n !\"&'(),-.0123456789:;>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz}";
    /** Id of every character not in {@link #CHARACTERS}. */
    public static final int OOV = CHARACTERS.length();
    /** Number of ids, including {@link #OOV}. */
    public static final int SIZE = OOV + 1;

    private static final int[] IDS = new int[128];

    static {
        java.util.Arrays.fill(IDS, OOV);
        for (int i = 0; i < CHARACTERS.length(); i++) {
            IDS[CHARACTERS.charAt(i)] = i;
        }
    }

    private ShakespeareVocabulary() {}

    /** The id of character {@code c}. */
    public static int id(char c) {
        return c < 128 ? IDS[c] : OOV;
    }

    /** The character of {@code id}, or U+FFFD for {@link #OOV}. */
    public static char character(int id) {
        if (id < 0 || id > OOV) {
            throw new IllegalArgumentException("character id " + id + " outside 0.." + OOV);
        }
        return id == OOV ? '\uFFFD' : CHARACTERS.charAt(id);
    }
}
