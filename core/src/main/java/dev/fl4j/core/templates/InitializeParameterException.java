package dev.fl4j.core.templates;

/** {@code initialize} must take no argument. */
public class InitializeParameterException extends TemplateException {

    public InitializeParameterException(String message) {
        super(message);
    }
}
