package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jsmpp.bean.BindType;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.junit.jupiter.api.Test;

/** The sms-throughput sink against a plain jSMPP client: ids, receipts, counts per key. */
class SmscSinkTest {

	@Test
	void answersSubmitsSendsReceiptsAndCountsDuplicatesAndLosses() throws Exception {
		List<String> receipts = new CopyOnWriteArrayList<>();
		try (SmscSink sink = new SmscSink("pw", 10)) {
			SMPPSession client = new SMPPSession();
			client.setMessageReceiverListener(new MessageReceiverListener() {
				@Override
				public void onAcceptDeliverSm(org.jsmpp.bean.DeliverSm deliverSm) {
					receipts.add(new String(deliverSm.getShortMessage(), StandardCharsets.ISO_8859_1));
				}

				@Override
				public void onAcceptAlertNotification(org.jsmpp.bean.AlertNotification alertNotification) {
				}

				@Override
				public org.jsmpp.session.DataSmResult onAcceptDataSm(org.jsmpp.bean.DataSm dataSm,
						org.jsmpp.session.Session source) {
					return null;
				}
			});
			client.connectAndBind("127.0.0.1", sink.port(), new BindParameter(BindType.BIND_TRX, "storecast", "pw", "",
					TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null), 5000);
			List<String> ids = new CopyOnWriteArrayList<>();
			// k0 … k8 once, k3 twice, k9 never
			for (int k : new int[] { 0, 1, 2, 3, 3, 4, 5, 6, 7, 8 }) {
				ids.add(client.submitShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.ISDN, "10690000",
						TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, "8613900000001", new ESMClass(), (byte) 0,
						(byte) 0, null, null, new RegisteredDelivery(1), (byte) 0, new RawDataCoding((byte) 8), (byte) 0,
						("【店】bench k" + k).getBytes(StandardCharsets.UTF_16BE)).getMessageId());
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> receipts.size() >= 10);
			client.unbindAndClose();

			assertThat(ids).doesNotHaveDuplicates().hasSize(10);
			assertThat(receipts).hasSize(10).allMatch(r -> r.contains("stat:DELIVRD"));
			assertThat(receipts.stream().map(r -> r.substring(3, r.indexOf(' '))).sorted().toList())
				.isEqualTo(ids.stream().sorted().toList());
			assertThat(sink.submits.get()).isEqualTo(10);
			assertThat(sink.duplicates()).isEqualTo(1);
			assertThat(sink.lost(10)).isEqualTo(1);
			assertThat(sink.binds.get()).isEqualTo(1);
			assertThat(sink.steadyPerSecond()).isPositive();
		}
	}
}
