package io.storecast.identity;

/** The levels of the org tree: one head office, regions under it, stores under a region or the head office. */
public enum OrgNodeKind {

	HEAD_OFFICE, REGION, STORE;

	/** Whether a node of this kind may sit directly under a node of {@code parent} kind. */
	public boolean mayBeChildOf(OrgNodeKind parent) {
		return switch (this) {
			case HEAD_OFFICE -> false;
			case REGION -> parent == HEAD_OFFICE;
			case STORE -> parent == HEAD_OFFICE || parent == REGION;
		};
	}
}
