package dev.fl4j.core.templates;

/**
 * Processes cannot be chained or concatenated: the output of one does not fit the input of the next, or their shapes
 * differ.
 */
public class ProcessCompositionException extends TemplateException {

    public ProcessCompositionException(String message) {
        super(message);
    }
}
