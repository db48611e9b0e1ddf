package dev.fl4j.core.templates;

/**
 * A process could not be built or composed because its parts do not fit. Each subclass names one
 * kind of misfit; every message says which part, what was expected and what came, and how to fix it.
 */
public abstract class TemplateException extends IllegalArgumentException {

    protected TemplateException(String message) {
        super(message);
    }
}
