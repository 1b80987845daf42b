package io.storecast.campaigns.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Surveys", description = "Up to 5 single or multiple choice questions, sent by a DAYS_AFTER_PURCHASE trigger "
		+ "as chat cards (params.surveyId) or answered through the app; a reward on completion; results")
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
			403 not-invited for a survey not sent to the customer; 409 survey-already-answered after any answer (app or chat).""")
	@PostMapping("/{id}/responses")
	ResponseEntity<SurveyManagement.ResponseView> respond(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody SurveyManagement.ResponseRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(surveys.respond(actor, id, request));
	}

	@Operation(summary = "Results: invited, started, completed, completion rate, rewards, and per question each option's count and share")
	@GetMapping("/{id}/results")
	SurveyManagement.Results results(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return surveys.results(actor, id);
	}
}
