package io.storecast.campaigns.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * A campaign's tracked link, public (its signature is the proof): counts the recipient's click and
 * redirects to the campaign's {@code offer.link}. A link that is not ours, or whose message was
 * never sent, is a page saying so — never a stack trace, and nothing is counted.
 */
@Tag(name = "Campaigns: tracked links", description = "Short signed links per recipient: count the click, then redirect (no token needed)")
@RestController
class TrackedLinkController {

	private final TrackedLinks links;
	private final Engagement engagement;
	private final Campaigns campaigns;
	private final Clock clock;

	TrackedLinkController(TrackedLinks links, Engagement engagement, Campaigns campaigns, Clock clock) {
		this.links = links;
		this.engagement = engagement;
		this.campaigns = campaigns;
		this.clock = clock;
	}

	@Operation(summary = "Follow a tracked link: the click is counted for its recipient, then 302 to the campaign's offer.link", description = """
			A forged, damaged or unknown link is 404 with a short page (zh-CN, then en); nothing is counted.""")
	@GetMapping(path = TrackedLinks.PATH + "{token}")
	ResponseEntity<String> follow(@PathVariable String token) {
		Optional<String> target = links.verify(token)
			.flatMap(id -> engagement.click(id, clock.instant()))
			.flatMap(campaigns::find)
			.map(c -> c.definition().offer().link());
		if (target.isEmpty()) {
			return ResponseEntity.status(HttpStatus.NOT_FOUND)
				.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
				.header("Cache-Control", "no-store")
				.body("""
						<!doctype html>
						<html lang="zh-CN"><head><meta charset="utf-8"><meta name="robots" content="noindex">
						<meta name="viewport" content="width=device-width, initial-scale=1"><title>链接无效</title></head>
						<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
						<h1>链接无效或已损坏</h1><p>请使用消息中的原始链接。<br>This link is not valid: please use the link in the message as it was sent.</p>
						</body></html>
						""");
		}
		return ResponseEntity.status(HttpStatus.FOUND)
			.location(URI.create(target.get()))
			.header("Cache-Control", "no-store")
			.build();
	}
}
