package io.storecast.messaging;

/** A member's role in a group or channel; direct conversations have members only. */
public enum MemberRole {

	OWNER, ADMIN, MEMBER;

	public boolean administers() {
		return this != MEMBER;
	}
}
