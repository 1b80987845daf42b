package io.storecast.campaigns.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Campaign A/B tests", description = "Variants of a campaign sent to a test fraction; the winner is sent to the rest")
@RestController
@RequestMapping("/api/v1/campaigns/{id}/ab")
class AbTestController {

	private final CampaignAbTesting testing;

	AbTestController(CampaignAbTesting testing) {
		this.testing = testing;
	}

	@Operation(summary = "The A/B test: per variant its test recipients, the metric's value and 95% confidence interval; status and winner", description = """
			status NOT_STARTED (test part not handed off), TESTING, WINNER_CHOSEN (chosenBy, chosenAt, reason) or \
			SENT_TO_REST. Rates use the Wilson score interval; revenue per recipient (fen) a normal approximation. \
			A campaign without a test is 409 not-an-ab-test. docs/campaigns.md, A/B tests.""")
	@GetMapping
	CampaignAbTesting.AbView get(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return testing.view(actor, id);
	}

	@Operation(summary = "Choose the winner ({\"variant\": \"B\"}): the rest is sent that variant", description = """
			CAMPAIGN_WRITE within the campaign's scope. 409 ab-test-not-sent before the test part is handed off, \
			409 winner-already-chosen after; 400 unknown-variant for a key the test does not have.""")
	@PostMapping("/winner")
	CampaignAbTesting.AbView choose(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestBody(required = false) CampaignAbTesting.@Nullable WinnerRequest request) {
		return testing.choose(actor, id, request);
	}
}
