package io.storecast.bench;

/** One benchmark scenario: measures, emits its figures, and says whether the run was sound. */
interface Scenario {

	String name();

	/** Runs to completion and stops everything it started; false when a check failed (the figures still stand). */
	boolean run(Results results) throws Exception;
}
