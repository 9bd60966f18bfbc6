package io.tracestitch.topology.steps;

/**
 * One successful execution of a step in a published workflow.
 *
 * @param key the step's identity in the table (service, span kind and name; or consumer and event name)
 * @param step the step as a person reads it, e.g. "inventory SELECT stock"
 * @param durationMicros how long it took
 */
public record StepSample(String key, String step, long durationMicros) {}
