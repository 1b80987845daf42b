package io.storecast.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SequenceTrackerUnitTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static JsonNode message(String conversation, long seq) {
		return JSON.createObjectNode().put("conversationId", conversation).put("seq", seq);
	}

	static long[] seqs(SequenceTracker.Outcome o) {
		return o.deliver().stream().mapToLong(m -> m.path("seq").asLong()).toArray();
	}

	@Test
	void delivers_in_order_once_and_holds_early_messages_until_the_gap_is_filled() {
		SequenceTracker t = new SequenceTracker();
		t.start("c", 0);
		assertThat(seqs(t.accept(message("c", 1)))).containsExactly(1);
		assertThat(seqs(t.accept(message("c", 1)))).isEmpty();
		SequenceTracker.Outcome early = t.accept(message("c", 4));
		assertThat(early.deliver()).isEmpty();
		assertThat(early.gap()).isTrue();
		assertThat(seqs(t.accept(message("c", 3)))).isEmpty();
		SequenceTracker.Outcome filled = t.accept(message("c", 2));
		assertThat(seqs(filled)).containsExactly(2, 3, 4);
		assertThat(filled.gap()).isFalse();
		assertThat(t.last("c")).isEqualTo(4);
	}

	@Test
	void an_unfollowed_conversation_starts_where_its_first_message_is() {
		SequenceTracker t = new SequenceTracker();
		assertThat(seqs(t.accept(message("new", 17)))).containsExactly(17);
		assertThat(seqs(t.accept(message("new", 18)))).containsExactly(18);
		assertThat(t.cursors()).containsEntry("new", 18L);
	}
}
