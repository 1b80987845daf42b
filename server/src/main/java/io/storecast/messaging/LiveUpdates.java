package io.storecast.messaging;

/**
 * Receives every {@link LiveUpdate} after its transaction commits, on the committing thread; the
 * gateway implements it to push to online members. Must not block. What it misses (a node crash)
 * clients recover with sync, since every update is also in the database.
 */
public interface LiveUpdates {

	void publish(LiveUpdate update);
}
