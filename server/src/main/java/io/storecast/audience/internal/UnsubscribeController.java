package io.storecast.audience.internal;

import java.time.Clock;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The one-click unsubscribe link, public (its signature is the proof). GET only shows a page with a
 * button (mail and SMS scanners fetch links, and must not unsubscribe anyone); POST withdraws
 * marketing consent for the link's channel, also as RFC 8058 {@code List-Unsubscribe=One-Click}.
 */
@Tag(name = "Audience: unsubscribe", description = "Signed one-click unsubscribe links (no token needed)")
@RestController
@RequestMapping("/api/v1/unsubscribe")
class UnsubscribeController {

	private final UnsubscribeLinks links;
	private final ConsentKeeping consents;
	private final ProfileKeeping profiles;
	private final Clock clock;

	UnsubscribeController(UnsubscribeLinks links, ConsentKeeping consents, ProfileKeeping profiles, Clock clock) {
		this.links = links;
		this.consents = consents;
		this.profiles = profiles;
		this.clock = clock;
	}

	@Operation(summary = "The confirmation page of an unsubscribe link (changes nothing)")
	@GetMapping(path = "/{token}", produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<String> confirm(@PathVariable String token) {
		Optional<UnsubscribeLinks.Target> target = links.verify(token);
		if (target.isEmpty()) {
			return invalid();
		}
		String channel = channelName(target.get().channel());
		return page(HttpStatus.OK, "退订确认", "确认退订" + channel + "营销消息?",
				"确认后您将不再收到本店通过" + channel + "发送的促销信息;订单、物流等服务通知不受影响。"
						+ "<br>Unsubscribe from marketing messages by " + target.get().channel().name().replace('_', '-')
						+ "? Order and delivery notices will still reach you.",
				"<form method=\"post\"><button type=\"submit\">确认退订 / Unsubscribe</button></form>");
	}

	@Operation(summary = "Withdraw marketing consent for the link's channel (also RFC 8058 one-click)")
	@PostMapping(path = "/{token}", produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<String> unsubscribe(@PathVariable String token, HttpServletRequest request) {
		Optional<UnsubscribeLinks.Target> target = links.verify(token);
		if (target.isEmpty() || profiles.ensure(target.get().customer()).isEmpty()) {
			return invalid();
		}
		String agent = request.getHeader("User-Agent");
		String evidence = "link from " + request.getRemoteAddr()
				+ (agent == null ? "" : ", " + (agent.length() > 200 ? agent.substring(0, 200) : agent));
		consents.change(target.get().customer(), target.get().channel(), Purpose.MARKETING, false, "LINK", "link", evidence,
				clock.instant(), null);
		String channel = channelName(target.get().channel());
		return page(HttpStatus.OK, "已退订", "您已退订" + channel + "营销消息",
				"之后不会再收到本店通过" + channel + "发送的促销信息;如需恢复,可在会员中心重新订阅。"
						+ "<br>You have been unsubscribed. You can subscribe again in your member centre.",
				"");
	}

	private static String channelName(Channel channel) {
		return switch (channel) {
			case IN_APP -> "站内";
			case SMS -> "短信";
			case WEBHOOK -> "公众号/小程序";
		};
	}

	private static ResponseEntity<String> invalid() {
		return page(HttpStatus.NOT_FOUND, "链接无效", "链接无效或已损坏",
				"请使用消息中的原始链接,或回复“退订”。<br>This link is not valid.", "");
	}

	private static ResponseEntity<String> page(HttpStatus status, String title, String heading, String text, String form) {
		String html = """
				<!doctype html>
				<html lang="zh-CN"><head><meta charset="utf-8">
				<meta name="viewport" content="width=device-width, initial-scale=1">
				<meta name="robots" content="noindex">
				<title>%s</title>
				<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
				button{font-size:1.1rem;padding:.6rem 1.4rem}</style></head>
				<body><h1>%s</h1><p>%s</p>%s</body></html>
				""".formatted(HtmlUtils.htmlEscape(title), HtmlUtils.htmlEscape(heading), text, form);
		return ResponseEntity.status(status)
			.contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
			.header("Cache-Control", "no-store")
			.body(html);
	}
}
