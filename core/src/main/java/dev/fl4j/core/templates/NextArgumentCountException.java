package dev.fl4j.core.templates;

/**
 * A process's {@code next} takes the wrong number of arguments (an aggregation process takes state and value, and a
 * weight if weighted).
 */
public class NextArgumentCountException extends TemplateException {

    public NextArgumentCountException(String message) {
        super(message);
    }
}
