package dev.fl4j.core.templates;

/** A measured process's {@code next} must return {@code <state=..,result=..,measurements=..>}. */
public class NotMeasuredProcessOutputException extends TemplateException {

    public NotMeasuredProcessOutputException(String message) {
        super(message);
    }
}
