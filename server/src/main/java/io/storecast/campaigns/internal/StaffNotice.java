package io.storecast.campaigns.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;

/**
 * A notice to staff as stored: what it says, to whom, whether it must be acknowledged (with reminders
 * to those who have not), its check-in rounds, and where it stands.
 *
 * @param campaignId the campaign it announces to store managers (a cascade), if any
 * @param nextReminder the reminder to be sent next (1 before any): a run of another one does nothing
 * @param nextCheckIn the check-in round to be asked next (1 before any)
 */
record StaffNotice(StaffNoticeId id, String title, String text, Audience audience, boolean requiresAck,
		@Nullable Integer remindAfterMinutes, int maxReminders, @Nullable CheckIn checkIn, @Nullable CampaignId campaignId,
		OrgNodeId scopeNodeId, String scopePath, Status status, @Nullable String statusReason, Instant sendAt,
		@Nullable Instant sentAt, @Nullable Instant closedAt, @Nullable String closedBy, int nextReminder, int nextCheckIn,
		String createdBy, Instant createdAt) {

	enum Status {
		/** Waiting for its time. */
		SCHEDULED,
		/** Posted: acknowledgements, reminders and check-ins go on until it is closed. */
		OPEN,
		/** Closed by its sender (or before it was sent): no more reminders or check-ins, no more answers. */
		CLOSED,
		/** It could not be posted ({@code statusReason} says why). */
		FAILED
	}

	/**
	 * Who hears the notice: staff with one of {@code roles} at or below each of {@code nodes}, or the
	 * staff members listed in {@code staffIds}.
	 */
	record Audience(@Nullable List<OrgNodeId> nodes, @Nullable List<Role> roles, @Nullable List<StaffId> staffIds) {

		boolean byRoles() {
			return staffIds == null;
		}
	}

	/** Check-in rounds: every {@code everyMinutes} after the notice is posted, each recipient's node answers. */
	record CheckIn(int everyMinutes, String prompt) {
	}

	/** When reminder {@code k} is due: k × remindAfterMinutes after the notice was posted. */
	Instant reminderDue(int k) {
		long minutes = (long) k * Objects.requireNonNull(remindAfterMinutes);
		return Objects.requireNonNull(sentAt).plus(Duration.ofMinutes(minutes));
	}

	/** When check-in round {@code k} is due: k × everyMinutes after the notice was posted. */
	Instant checkInDue(int k) {
		long minutes = (long) k * Objects.requireNonNull(checkIn).everyMinutes();
		return Objects.requireNonNull(sentAt).plus(Duration.ofMinutes(minutes));
	}
}
