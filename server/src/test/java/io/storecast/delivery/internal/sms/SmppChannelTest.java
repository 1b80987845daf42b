package io.storecast.delivery.internal.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jsmpp.SMPPConstant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.delivery.internal.sms.RecordingEvents.InboundCall;
import io.storecast.delivery.internal.sms.RecordingEvents.ReceiptCall;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;

/** The SMS channel against an SMSC in the same process (jSMPP's server side on 127.0.0.1). */
class SmppChannelTest {

	static final String PHONE = "+8613812345678";
	static final Duration WAIT = Duration.ofSeconds(10);

	final RecordingEvents events = new RecordingEvents();
	final SimpleMeterRegistry meters = new SimpleMeterRegistry();
	final AtomicLong attempts = new AtomicLong();
	TestSmsc smsc;
	SmppChannel channel;

	@BeforeEach
	void smsc() throws Exception {
		smsc = new TestSmsc("secret");
	}

	@AfterEach
	void stop() throws Exception {
		if (channel != null) {
			channel.close();
		}
		smsc.close();
	}

	SmppChannel start(Duration requestTimeout) {
		SmsSettings settings = new SmsSettings(new SmsSettings.Smpp("127.0.0.1", smsc.port(), "storecast", "secret", "",
				"10690000", Duration.ofSeconds(5), Duration.ofSeconds(30), 50, Duration.ofMillis(50),
				Duration.ofMillis(200), requestTimeout, Duration.ofSeconds(1), true), 6, Duration.ofSeconds(2),
				Duration.ofHours(1), List.of("1", "5", "9"));
		channel = new SmppChannel(settings, () -> events, meters, Clock.systemUTC());
		channel.start();
		return channel;
	}

	SmppChannel startBound() {
		start(Duration.ofSeconds(30));
		await().atMost(WAIT).until(channel::ready);
		return channel;
	}

	Outgoing sms(String text) {
		long id = attempts.incrementAndGet();
		return new Outgoing(id, UUID.randomUUID().toString(), "key-" + id, 1, new CustomerId(UUID.randomUUID()),
				new OrgNodeId(UUID.randomUUID()), "小美花店", Purpose.TRANSACTIONAL, PHONE, text, null, Map.of());
	}

	static AttemptResult result(CompletableFuture<AttemptResult> f) throws Exception {
		return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	CompletableFuture<AttemptResult> send(String text) {
		return channel.send(sms(text)).toCompletableFuture();
	}

	@Test
	void a_submit_is_accepted_under_the_smscs_id_and_its_receipt_matched() throws Exception {
		startBound();
		assertThat(channel.channel()).isEqualTo(Channel.SMS);
		assertThat(channel.maxInFlight()).isEqualTo(50);

		AttemptResult r = result(send("您的订单已发货"));

		assertThat(r).isEqualTo(new AttemptResult.Accepted("m1", 1, false, null));
		assertThat(smsc.submits).hasSize(1);
		TestSmsc.Submit s = smsc.submits.getFirst();
		assertThat(s.destination()).isEqualTo("8613812345678");
		assertThat(s.destTon()).isEqualTo((byte) 1); // international
		assertThat(s.destNpi()).isEqualTo((byte) 1); // ISDN
		assertThat(s.source()).isEqualTo("10690000");
		assertThat(s.esmClass()).isEqualTo((byte) 0);
		assertThat(s.dataCoding()).isEqualTo((byte) 0x08);
		assertThat(s.registeredDelivery()).isEqualTo((byte) 1);
		assertThat(new String(s.shortMessage(), StandardCharsets.UTF_16BE)).isEqualTo("【小美花店】您的订单已发货");

		assertThat(smsc.sendReceipt("m1", "DELIVRD", "000")).isZero();
		assertThat(events.receipts).containsExactly(new ReceiptCall(Channel.SMS, "m1", true, "DELIVRD", false,
				"stat:DELIVRD err:000 done date:2611231201"));

		// a failed one: UNDELIV with "unknown subscriber" is the number's fault, EXPIRED is not
		assertThat(result(send("取件码 1234"))).isEqualTo(new AttemptResult.Accepted("m2", 1, false, null));
		assertThat(result(send("取件码 5678"))).isEqualTo(new AttemptResult.Accepted("m3", 1, false, null));
		smsc.sendReceipt("m2", "UNDELIV", "001");
		smsc.sendReceipt("m3", "EXPIRED", "000");
		// an intermediate state is no receipt for the core
		smsc.sendReceipt("m3", "ENROUTE", "000");
		// the TLVs alone are enough (message_state 2 = DELIVERED)
		assertThat(result(send("TLV"))).isEqualTo(new AttemptResult.Accepted("m4", 1, false, null));
		assertThat(smsc.sendReceiptTlvs("m4", 2)).isZero();

		assertThat(events.receipts).extracting(ReceiptCall::providerId, ReceiptCall::delivered, ReceiptCall::code,
				ReceiptCall::addressFault)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("m1", true, "DELIVRD", false),
					org.assertj.core.groups.Tuple.tuple("m2", false, "UNDELIV", true),
					org.assertj.core.groups.Tuple.tuple("m3", false, "EXPIRED", false),
					org.assertj.core.groups.Tuple.tuple("m4", true, "DELIVRD", false));
		assertThat(smsc.deliverAnswers).containsOnly(0).hasSize(5);
		assertThat(meters.counter("storecast.sms.submits").count()).isEqualTo(4);
	}

	@Test
	void a_long_chinese_text_goes_as_parts_with_a_udh_and_reports_one_receipt_when_all_are_delivered() throws Exception {
		startBound();
		String text = "尊敬的会员您好".repeat(20) + "回T退订"; // 144 characters, 150 with the signature

		AttemptResult r = result(send(text));

		assertThat(r).isEqualTo(new AttemptResult.Accepted("m1", 3, false, null));
		assertThat(smsc.submits).extracting(TestSmsc.Submit::messageId).containsExactly("m1", "m2", "m3");
		int reference = smsc.submits.getFirst().shortMessage()[3] & 0xFF;
		StringBuilder joined = new StringBuilder();
		for (int i = 0; i < 3; i++) {
			TestSmsc.Submit part = smsc.submits.get(i);
			assertThat(part.esmClass()).isEqualTo((byte) 0x40); // UDHI
			assertThat(part.dataCoding()).isEqualTo((byte) 0x08);
			assertThat(Arrays.copyOf(part.shortMessage(), 6)).containsExactly(0x05, 0x00, 0x03, reference, 3, i + 1);
			assertThat(part.payload().length).isEqualTo(i < 2 ? 134 : 32);
			joined.append(new String(part.payload(), StandardCharsets.UTF_16BE));
		}
		assertThat(joined.toString()).isEqualTo("【小美花店】" + text);

		// the later parts' receipts first: nothing for the core until every part is in
		smsc.sendReceipt("m3", "DELIVRD", "000");
		smsc.sendReceipt("m2", "DELIVRD", "000");
		assertThat(events.receipts).isEmpty();
		smsc.sendReceipt("m1", "DELIVRD", "000");
		assertThat(events.receipts).extracting(ReceiptCall::providerId, ReceiptCall::delivered, ReceiptCall::code)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("m1", true, "DELIVRD"));

		// a second long message: one failed part fails it at once, under its first part's id
		assertThat(result(send(text))).isEqualTo(new AttemptResult.Accepted("m4", 3, false, null));
		smsc.sendReceipt("m5", "UNDELIV", "005");
		assertThat(events.receipts).hasSize(2);
		assertThat(events.receipts.get(1)).satisfies(c -> {
			assertThat(c.providerId()).isEqualTo("m4");
			assertThat(c.delivered()).isFalse();
			assertThat(c.code()).isEqualTo("UNDELIV");
			assertThat(c.addressFault()).isTrue();
			assertThat(c.detail()).startsWith("part 2/3:");
		});
		smsc.sendReceipt("m4", "DELIVRD", "000");
		smsc.sendReceipt("m6", "DELIVRD", "000");
		assertThat(events.receipts).hasSize(2);
	}

	@Test
	void negative_responses_map_to_transient_or_permanent() throws Exception {
		startBound();

		smsc.refuseNext(1, SMPPConstant.STAT_ESME_RTHROTTLED);
		AttemptResult throttled = result(send("一"));
		assertThat(throttled).isInstanceOfSatisfying(AttemptResult.Transient.class, t -> {
			assertThat(t.code()).isEqualTo("throttled");
			assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(1));
		});
		// the SMSC asked to slow down: not ready until the retryAfter passed
		assertThat(channel.ready()).isFalse();
		await().atMost(WAIT).until(channel::ready);

		smsc.refuseNext(1, SMPPConstant.STAT_ESME_RMSGQFUL);
		assertThat(result(send("二"))).isInstanceOfSatisfying(AttemptResult.Transient.class, t -> {
			assertThat(t.code()).isEqualTo("queue-full");
			assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(1));
		});
		smsc.refuseNext(1, SMPPConstant.STAT_ESME_RINVDSTADR);
		assertThat(result(send("三"))).isInstanceOfSatisfying(AttemptResult.Permanent.class, p -> {
			assertThat(p.code()).isEqualTo("invalid-number");
			assertThat(p.addressFault()).isTrue();
		});
		smsc.refuseNext(1, SMPPConstant.STAT_ESME_RSUBMITFAIL);
		assertThat(result(send("四"))).isInstanceOfSatisfying(AttemptResult.Permanent.class, p -> {
			assertThat(p.code()).isEqualTo("rejected");
			assertThat(p.addressFault()).isFalse();
			assertThat(p.detail()).contains("0x00000045");
		});
		assertThat(result(send("五"))).isEqualTo(new AttemptResult.Accepted("m1", 1, false, null));
		assertThat(smsc.submits).hasSize(5);
		assertThat(meters.counter("storecast.sms.throttled").count()).isEqualTo(2);
	}

	@Test
	void a_throttled_later_part_is_tried_again_without_sending_the_earlier_parts_twice() throws Exception {
		startBound();
		String text = "好".repeat(100); // 2 parts
		smsc.holdResponses();
		CompletableFuture<AttemptResult> f = send(text);
		await().atMost(WAIT).until(() -> smsc.submits.size() == 1);
		smsc.refuseNext(1, SMPPConstant.STAT_ESME_RTHROTTLED);
		smsc.releaseResponses();

		assertThat(result(f)).isEqualTo(new AttemptResult.Accepted("m1", 2, false, null));
		assertThat(smsc.submits).extracting(TestSmsc.Submit::messageId).containsExactly("m1", "refused", "m2");
	}

	@Test
	void a_refused_bind_leaves_the_channel_unready_without_throwing_and_it_binds_once_accepted() throws Exception {
		smsc.password("another");
		start(Duration.ofSeconds(30)); // no exception

		await().atMost(WAIT).until(() -> smsc.bindAttempts.get() >= 3); // tried again, with backoff
		assertThat(channel.ready()).isFalse();
		assertThat(smsc.binds.get()).isZero();
		assertThat(result(send("早"))).isInstanceOfSatisfying(AttemptResult.Transient.class,
				t -> assertThat(t.code()).isEqualTo("not-bound"));
		assertThat(smsc.submits).isEmpty();

		smsc.password("secret");
		await().atMost(WAIT).until(channel::ready);
		assertThat(smsc.binds.get()).isEqualTo(1);
		assertThat(result(send("早"))).isEqualTo(new AttemptResult.Accepted("m1", 1, false, null));
	}

	@Test
	void a_dropped_connection_completes_every_outstanding_submit_as_transient_and_the_channel_binds_again()
			throws Exception {
		startBound(); // request timeout 30 s: only the channel itself can complete them in time
		smsc.holdResponses();
		List<CompletableFuture<AttemptResult>> outstanding = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			outstanding.add(send("第" + i + "条"));
		}
		await().atMost(WAIT).until(() -> smsc.submits.size() == 20);
		assertThat(channel.inFlight()).isEqualTo(20);

		smsc.dropConnections();

		CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
		for (CompletableFuture<AttemptResult> f : outstanding) {
			assertThat(f.get()).isInstanceOfSatisfying(AttemptResult.Transient.class,
					t -> assertThat(t.code()).isEqualTo("connection-lost"));
		}
		await().atMost(WAIT).until(() -> channel.inFlight() == 0); // no submit thread left waiting
		smsc.releaseResponses();
		await().atMost(WAIT).until(() -> smsc.binds.get() == 2 && channel.ready());
		assertThat(result(send("又来了"))).isEqualTo(new AttemptResult.Accepted("m21", 1, false, null));
		assertThat(meters.counter("storecast.sms.sessions.lost").count()).isEqualTo(1);
	}

	@Test
	void a_receipt_before_the_submit_sm_resp_reaches_the_core_under_the_right_id() throws Exception {
		startBound();
		smsc.receiptBeforeResponse(true);

		CompletableFuture<AttemptResult> f = send("提货通知");
		// when the attempt completes, the core already has the receipt (it matches it by id later)
		CompletableFuture<Integer> receiptsAtCompletion = f.thenApply(r -> events.receipts.size());

		assertThat(result(f)).isEqualTo(new AttemptResult.Accepted("m1", 1, false, null));
		assertThat(receiptsAtCompletion.get()).isEqualTo(1);
		assertThat(events.receipts).extracting(ReceiptCall::providerId, ReceiptCall::delivered)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("m1", true));

		// a long message whose every part's receipt comes first: one joined receipt, under the first id
		assertThat(result(send("好".repeat(140)))).isEqualTo(new AttemptResult.Accepted("m2", 3, false, null));
		assertThat(events.receipts).extracting(ReceiptCall::providerId, ReceiptCall::delivered)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("m1", true), org.assertj.core.groups.Tuple.tuple("m2", true));
	}

	@Test
	void garbage_from_the_smsc_drops_the_session_and_the_channel_binds_again_with_no_stuck_thread() throws Exception {
		startBound();
		smsc.holdResponses();
		CompletableFuture<AttemptResult> outstanding = send("在路上");
		await().atMost(WAIT).until(() -> smsc.submits.size() == 1);

		smsc.writeGarbage(new byte[] { 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8 });

		assertThat(outstanding.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(AttemptResult.Transient.class,
				t -> assertThat(t.code()).isEqualTo("connection-lost"));
		smsc.releaseResponses();
		await().atMost(WAIT).until(() -> smsc.binds.get() == 2 && channel.ready());
		assertThat(result(send("好了"))).isEqualTo(new AttemptResult.Accepted("m2", 1, false, null));

		// a well-formed header with a command the SMSC has no business sending: the same
		smsc.writeGarbage(new byte[] { 0, 0, 0, 16, 0, 0, 0x09, (byte) 0x99, 0, 0, 0, 0, 0, 0, 0, 1 });
		await().atMost(WAIT).until(() -> smsc.binds.get() == 3 && channel.ready());
		assertThat(result(send("又好了"))).isEqualTo(new AttemptResult.Accepted("m3", 1, false, null));
		// the readers of the dropped sessions ended: only the bound session's are left, ours and the SMSC's
		await().atMost(WAIT).until(() -> liveThreads("PDUReaderWorker-") == 2);
		assertThat(channel.inFlight()).isZero();
	}

	@Test
	void an_inbound_sms_is_decoded_and_handed_on_with_the_sender_in_e164() throws Exception {
		startBound();

		assertThat(smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0, "退订".getBytes(StandardCharsets.UTF_16BE)))
			.isZero();
		smsc.sendMo("13912345678", "10690000", (byte) 0x00, (byte) 0, SmsText.encode("TD", 0).parts().getFirst());
		smsc.sendMo("8613912345678", "10690000", (byte) 0x03, (byte) 0, "Grüße".getBytes(StandardCharsets.ISO_8859_1));

		assertThat(events.inbound).containsExactly(new InboundCall(Channel.SMS, "+8613912345678", "10690000", "退订"),
				new InboundCall(Channel.SMS, "+8613912345678", "10690000", "TD"),
				new InboundCall(Channel.SMS, "+8613912345678", "10690000", "Grüße"));
	}

	@Test
	void a_concatenated_inbound_sms_is_reassembled_whatever_the_order_of_its_parts() throws Exception {
		startBound();
		String text = "你好，我想问一下".repeat(10) + "😀" + "谢谢";
		SmsText parts = SmsText.encode(text, 0x42);
		assertThat(parts.segments()).isEqualTo(2);

		smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0x40, parts.parts().get(1));
		assertThat(events.inbound).isEmpty();
		smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0x40, parts.parts().get(0));

		assertThat(events.inbound).containsExactly(new InboundCall(Channel.SMS, "+8613912345678", "10690000", text));

		// a part alone: handed on as far as it goes once the reassembly timeout (2 s here) passed
		smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0x40, SmsText.encode("好".repeat(100), 7).parts().get(0));
		assertThat(events.inbound).hasSize(1);
		await().atMost(WAIT).until(() -> events.inbound.size() == 2);
		assertThat(events.inbound.get(1).text()).isEqualTo("好".repeat(67));
	}

	@Test
	void every_deliver_sm_is_answered_and_a_failed_hand_over_asks_the_smsc_to_send_again() throws Exception {
		startBound();
		events.failNext.set(1);

		assertThat(smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0, "退订".getBytes(StandardCharsets.UTF_16BE)))
			.isEqualTo(SMPPConstant.STAT_ESME_RX_T_APPN);
		assertThat(events.inbound).isEmpty();
		assertThat(smsc.sendMo("8613912345678", "10690000", (byte) 0x08, (byte) 0, "退订".getBytes(StandardCharsets.UTF_16BE)))
			.isZero();
		assertThat(events.inbound).hasSize(1);

		// an unreadable receipt is answered OK (sending it again cannot help) and reaches nobody
		assertThat(smsc.sendMo("8613812345678", "10690000", (byte) 0, (byte) 0x04, "garbled".getBytes(StandardCharsets.US_ASCII)))
			.isZero();
		assertThat(events.receipts).isEmpty();
		assertThat(smsc.deliverAnswers).containsExactly(SMPPConstant.STAT_ESME_RX_T_APPN, 0, 0);
	}

	@Test
	void check_refuses_texts_over_the_segment_limit_and_customers_without_a_phone() {
		start(Duration.ofSeconds(30));
		channel.check(sms("好".repeat(6 * 67 - 6))); // 6 segments with 【小美花店】
		assertThatThrownBy(() -> channel.check(sms("好".repeat(6 * 67 - 5)))).isInstanceOfSatisfying(ApiException.class,
				e -> {
					assertThat(e.code()).isEqualTo("sms-too-long");
					assertThat(e.fieldProblems().getFirst().field()).isEqualTo("content.smsText");
				});
		Outgoing noPhone = new Outgoing(1, "d", "k", 1, new CustomerId(UUID.randomUUID()), new OrgNodeId(UUID.randomUUID()),
				"小美花店", Purpose.MARKETING, null, "hi", null, Map.of());
		assertThatThrownBy(() -> channel.check(noPhone)).isInstanceOfSatisfying(ApiException.class,
				e -> assertThat(e.code()).isEqualTo("invalid-phone"));
	}

	static long liveThreads(String prefix) {
		return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
	}
}
