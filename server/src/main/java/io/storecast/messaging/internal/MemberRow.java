package io.storecast.messaging.internal;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.messaging.MemberRole;
import io.storecast.messaging.Participant;

/** A membership as stored. */
record MemberRow(Participant participant, MemberRole role, long readSeq, long deliveredSeq,
		@Nullable Instant mutedUntil) {

	boolean mutedAt(Instant now) {
		return mutedUntil != null && now.isBefore(mutedUntil);
	}
}
