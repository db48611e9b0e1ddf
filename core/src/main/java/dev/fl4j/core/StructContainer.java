package dev.fl4j.core;

/**
 * A value that is a structure under a Java class of its own, as TFF's attrs containers are (a measured
 * process's output, {@code <state=..,result=..,measurements=..>}): its type is a {@link StructType} and it is
 * made of the fields of {@link #toStruct()}.
 *
 * <p>Code that walks values without knowing every such class (a runtime completing the client values a
 * computation returns) reads the fields through {@link #toStruct()} and puts replacements back with
 * {@link #withFields}, so the caller still receives the container's class.
 */
public interface StructContainer extends Value {

    /** The fields, in order, with their names. */
    Struct toStruct();

    /**
     * The same kind of container made of {@code fields}, which have the names and number of {@link #toStruct()}'s
     * fields (their values, and so their types' details, may differ).
     *
     * @throws IllegalArgumentException if {@code fields} does not have those names
     */
    StructContainer withFields(Struct fields);
}
