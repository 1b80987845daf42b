package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FramesTest {

	@Test
	void readsAMessagePushOnTheFastPath() {
		String push = "{\"type\":\"message\",\"message\":{\"conversationId\":\"0198-c\",\"seq\":17,\"id\":\"x\","
				+ "\"sender\":\"customer:0198\",\"clientMsgId\":\"s3-1234\",\"kind\":\"TEXT\",\"body\":{\"text\":\"hi\"},"
				+ "\"requiresAck\":false,\"createdAt\":\"2026-11-23T02:00:01.123Z\",\"recalled\":false}}";
		assertThat(Frames.messagePush(push)).isEqualTo(new Frames.Push("0198-c", 17, "s3-1234"));
	}

	@Test
	void readsAPushWithFieldsInAnotherOrderThroughJackson() {
		String push = "{\"message\":{\"seq\":5,\"clientMsgId\":null,\"conversationId\":\"c\"},\"type\":\"message\"}";
		assertThat(Frames.messagePush(push)).isEqualTo(new Frames.Push("c", 5, null));
	}

	@Test
	void otherFramesAreNotPushes() {
		assertThat(Frames.messagePush("{\"type\":\"ack\",\"id\":\"s1-2\",\"seq\":3}")).isNull();
		assertThat(Frames.messagePush("{\"conversationId\":\"c\",\"seq\":3,\"type\":\"ack\",\"id\":\"7\"}")).isNull();
		assertThat(Frames.messagePush("not json")).isNull();
	}

	@Test
	void aSystemMessageHasNoClientMessageId() {
		String push = "{\"type\":\"message\",\"message\":{\"conversationId\":\"c\",\"seq\":1,\"id\":\"x\",\"sender\":null,"
				+ "\"clientMsgId\":null,\"kind\":\"SYSTEM\",\"body\":{\"event\":\"members-added\"}}}";
		assertThat(Frames.messagePush(push)).isEqualTo(new Frames.Push("c", 1, null));
	}

	@Test
	void indexAfterPrefix() {
		assertThat(Frames.indexAfter("s3-1234", "s3-")).isEqualTo(1234);
		assertThat(Frames.indexAfter("s3-0", "s3-")).isZero();
		assertThat(Frames.indexAfter("s31-4", "s3-")).isEqualTo(-1);
		assertThat(Frames.indexAfter("s3-", "s3-")).isEqualTo(-1);
		assertThat(Frames.indexAfter("s3-12a", "s3-")).isEqualTo(-1);
		assertThat(Frames.indexAfter(null, "s3-")).isEqualTo(-1);
		assertThat(Frames.indexAfter("s3-12345678901", "s3-")).isEqualTo(-1);
	}

	@Test
	void sumsPrometheusSamplesByLabel() {
		String exposition = """
				# HELP jvm_memory_used_bytes The amount of used memory
				# TYPE jvm_memory_used_bytes gauge
				jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
				jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E7
				jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7
				jvm_memory_used_bytes_other{area="heap"} 1
				storecast_gateway_connections 15000.0
				""";
		assertThat(StorecastFixture.sumMetric(exposition, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(3.5E7);
		assertThat(StorecastFixture.sumMetric(exposition, "storecast_gateway_connections", "")).isEqualTo(15000.0);
	}
}
