package dev.fl4j.core.templates;

/**
 * A part of a process is placed where the template does not allow (e.g. aggregation state not at SERVER, value not at
 * CLIENTS).
 */
public class PlacementMismatchException extends TemplateException {

    public PlacementMismatchException(String message) {
        super(message);
    }
}
