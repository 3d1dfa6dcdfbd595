package io.synscope.flow;

/** Receives each connection once, when the tracker has decided it is over. */
@FunctionalInterface
public interface ConnectionListener {
    /**
     * Called once per connection, in decision order (not start order).
     *
     * <p><b>Reuse contract.</b> {@code connection} is pooled: read what you need during this call
     * and keep no reference to it, its endpoints or its events afterwards.
     *
     * @param reason why the tracker decided now
     * @param nowNanos the capture time at the decision (the latest packet time seen)
     */
    void onDecided(Connection connection, Decision reason, long nowNanos);
}
