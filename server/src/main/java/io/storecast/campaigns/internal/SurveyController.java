package io.storecast.campaigns.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Surveys", description = "Up to 5 single or multiple choice questions, sent as chat cards by a campaign "
		+ "(offer.surveyId) or a DAYS_AFTER_PURCHASE / ORDER_DELIVERED trigger (params.surveyId), in the customer's language "
		+ "where the survey has it, or answered through the app; a reward on completion; closing; results by store and as CSV")
@RestController
@RequestMapping("/api/v1/surveys")
class SurveyController {

	private final SurveyManagement surveys;

	SurveyController(SurveyManagement surveys) {
		this.surveys = surveys;
	}

	@Operation(summary = "Create a survey (it never changes: answers refer to its questions and options by index)",
			description = """
					title (1-100), questions: 1-5 of {text: {zh-CN, en?} (1-80), kind: SINGLE | MULTIPLE, options: 2-8 of \
					{zh-CN, en?} (1-20, distinct)}, reward (optional): {couponTemplateId} granted once per customer on \
					completion, or {code} shown on completion. Staff with CAMPAIGN_WRITE; the survey belongs to their org node \
					(docs/campaigns.md#surveys).""")
	@PostMapping
	ResponseEntity<SurveyManagement.SurveyView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody SurveyManagement.SurveyRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(surveys.create(actor, request));
	}

	@Operation(summary = "Surveys within your part of the organisation, newest first")
	@GetMapping
	CursorPage<SurveyManagement.SurveyView> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) @Nullable String after, @RequestParam(required = false) @Nullable Integer limit) {
		return surveys.list(actor, after, CursorPage.limit(limit));
	}

	@Operation(summary = "A survey: staff within its scope, or a customer it was sent to (403 not-invited otherwise)")
	@GetMapping("/{id}")
	SurveyManagement.SurveyView get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return actor instanceof Actor.Customer ? surveys.forCustomer(actor, id) : surveys.get(actor, id);
	}

	@Operation(summary = "The customer answers every question at once; the reward comes back", description = """
			{answers: [{question: 0, options: [1]}, ...]}: each question once (0-based), known options, one for SINGLE. \
			403 not-invited for a survey not sent to the customer; 409 survey-already-answered after any answer (app or chat); \
			409 survey-closed once the survey is closed.""")
	@PostMapping("/{id}/responses")
	ResponseEntity<SurveyManagement.ResponseView> respond(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody SurveyManagement.ResponseRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(surveys.respond(actor, id, request));
	}

	@Operation(summary = "Close a survey: no more answers (409 survey-closed; a reply in the chat) or invitations; results stay",
			description = "CAMPAIGN_WRITE within the survey's scope. Closing a closed survey changes nothing (200).")
	@PostMapping("/{id}/close")
	SurveyManagement.SurveyView close(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return surveys.close(actor, id);
	}

	@Operation(summary = "Results: invited, started, completed, completion rate, rewards, per question each option's count and share; by STORE; as JSON or CSV",
			description = """
					by=STORE adds the same per store of each customer's first invitation (stores). format=csv or Accept: \
					text/csv gives CSV (UTF-8 with a byte order mark): a row per store and a total row; the figures, then \
					per question its answers and each option's count. docs/campaigns.md#surveys.""")
	@GetMapping(path = "/{id}/results", produces = { MediaType.APPLICATION_JSON_VALUE, "text/csv" })
	ResponseEntity<?> results(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestParam(required = false) SurveyManagement.@Nullable By by,
			@RequestParam(required = false) @Nullable String format,
			@RequestHeader(name = HttpHeaders.ACCEPT, required = false) @Nullable String accept) {
		return Csv.results(format, accept, () -> surveys.results(actor, id, by),
				r -> "survey-" + id + "-results" + (by == null ? "" : "-by-store") + ".csv", SurveyManagement::csv);
	}
}
