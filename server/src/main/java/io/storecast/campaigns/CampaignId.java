package io.storecast.campaigns;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a campaign; its deliveries carry the source {@code campaign:<id>}. */
public record CampaignId(@JsonValue UUID value) {

	@JsonCreator
	public static CampaignId of(UUID value) {
		return new CampaignId(value);
	}

	public static CampaignId valueOf(String text) {
		return new CampaignId(UUID.fromString(text));
	}

	/** The delivery source and contact-policy key of this campaign's messages. */
	public String source() {
		return "campaign:" + value;
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
