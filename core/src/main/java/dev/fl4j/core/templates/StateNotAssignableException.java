package dev.fl4j.core.templates;

/**
 * The state {@code initialize} makes does not fit what {@code next} (or {@code report}) takes, or {@code next} returns
 * a state it could not take back.
 */
public class StateNotAssignableException extends TemplateException {

    public StateNotAssignableException(String message) {
        super(message);
    }
}
