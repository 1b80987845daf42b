package io.storecast.identity;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a node of the org tree: the head office, a region or a store. */
public record OrgNodeId(@JsonValue UUID value) {

	@JsonCreator
	public static OrgNodeId of(UUID value) {
		return new OrgNodeId(value);
	}

	public static OrgNodeId valueOf(String text) {
		return new OrgNodeId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
