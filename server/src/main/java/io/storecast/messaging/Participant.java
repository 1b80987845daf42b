package io.storecast.messaging;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.StaffId;

/**
 * Someone who can be in a conversation: a staff member or a customer, written
 * {@code staff:<uuid>} or {@code customer:<uuid>}.
 */
public record Participant(Kind kind, UUID id) {

	public enum Kind {
		STAFF, CUSTOMER
	}

	public static Participant staff(StaffId id) {
		return new Participant(Kind.STAFF, id.value());
	}

	public static Participant customer(CustomerId id) {
		return new Participant(Kind.CUSTOMER, id.value());
	}

	/** The participant an actor speaks as, or null for actors that cannot chat (API keys, visitors). */
	public static @Nullable Participant of(Actor actor) {
		return switch (actor) {
			case Actor.Staff s -> staff(s.id());
			case Actor.Customer c -> customer(c.id());
			default -> null;
		};
	}

	@JsonCreator
	public static Participant parse(String text) {
		int colon = text.indexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException("a participant is written staff:<uuid> or customer:<uuid>");
		}
		String kind = text.substring(0, colon);
		UUID id = UUID.fromString(text.substring(colon + 1));
		return switch (kind) {
			case "staff" -> new Participant(Kind.STAFF, id);
			case "customer" -> new Participant(Kind.CUSTOMER, id);
			default -> throw new IllegalArgumentException("unknown participant kind '" + kind + "'");
		};
	}

	public static Participant valueOf(String text) {
		return parse(text);
	}

	@JsonValue
	@Override
	public String toString() {
		return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
	}
}
