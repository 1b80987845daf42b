package io.storecast.campaigns.internal;

import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Campaign results", description = "What a campaign (and its forwards) achieved: messages, clicks, coupons, revenue and ROI")
@RestController
@RequestMapping("/api/v1/campaigns/{id}")
class ResultsController {

	private final CampaignResults results;

	ResultsController(CampaignResults results) {
		this.results = results;
	}

	@Operation(summary = "A campaign's results by STORE (default), CHANNEL, HOUR, EMPLOYEE, VARIANT or RUN, as JSON or CSV", description = """
			Per group and in total: recipients, sent, delivered, read, failed, clicked, replied, forwarded, unsubscribed, \
			claimed, redeemed, orders, revenueFen, couponCostFen, readRate, clickRate, redemptionRate and roi \
			((revenue - coupon cost) / coupon cost; null when nothing was redeemed). Includes the campaign's forwards, \
			and a recurring campaign's runs (by=RUN: a row per run, keyed by the run's campaign id, labelled with its \
			time in the merchant's zone; 400 validation-failed for a campaign that does not recur). \
			format=csv or Accept: text/csv gives CSV (UTF-8 with a byte order mark). docs/campaigns.md, Results and ROI.""")
	@GetMapping(path = "/results", produces = { MediaType.APPLICATION_JSON_VALUE, "text/csv" })
	ResponseEntity<?> results(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestParam(required = false) CampaignResults.@Nullable By by,
			@RequestParam(required = false) @Nullable String format,
			@RequestHeader(name = HttpHeaders.ACCEPT, required = false) @Nullable String accept) {
		return Csv.results(format, accept, () -> results.results(actor, id, by),
				view -> "campaign-" + id + "-results-by-" + view.by().name().toLowerCase(Locale.ROOT) + ".csv",
				CampaignResults::csv);
	}
}
