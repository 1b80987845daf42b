package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class BenchTest {

	@Test
	void noArgumentsOrAllMeanEveryScenario() {
		String[] all = { "startup", "auth", "jmh", "idle-connections", "direct-throughput", "group-fanout",
				"reconnect-storm", "csv-import", "stock-adjust", "coupon-claim-storm", "validate-cart", "segment-count",
				"policy-check", "sms-throughput", "fallback", "campaign-fanout", "trigger-latency", "ws-baseline" };
		assertThat(Bench.select()).containsExactly(all);
		assertThat(Bench.select("all")).containsExactly(all);
	}

	@Test
	void namedScenariosRunInTheGivenOrderOnce() {
		assertThat(Bench.select("auth", "STARTUP", "auth")).containsExactly("auth", "startup");
	}

	@Test
	void unknownScenarioIsRefused() {
		assertThatThrownBy(() -> Bench.select("startup", "nope")).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("nope");
	}

	@Test
	void readsKibibytesFromProcStatus() {
		String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmRSS:\t  412345 kB\nThreads:\t42\n";
		assertThat(ServerProcess.parseKiB(status, "VmRSS:")).isEqualTo(OptionalLong.of(412345));
		assertThat(ServerProcess.parseKiB(status, "VmSwap:")).isEmpty();
		assertThat(ServerProcess.parseKiB("Rss: 10 kB\nPss:  7 kB\n", "Pss:")).isEqualTo(OptionalLong.of(7));
	}

	@Test
	void readsThisProcessRss() {
		assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
		assertThat(ServerProcess.readProcField(ProcessHandle.current().pid(), "status", "VmRSS:").orElse(-1))
			.isPositive();
	}

	@Test
	void repeatIsOneWhenUnsetAndRefusesWhatIsNotOneToTwenty() {
		assertThat(Bench.repeat(null)).isEqualTo(1);
		assertThat(Bench.repeat(" ")).isEqualTo(1);
		assertThat(Bench.repeat("5")).isEqualTo(5);
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.repeat("0")).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("from 1 to 20");
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.repeat("21")).isInstanceOf(IllegalArgumentException.class);
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.repeat("five")).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'five'");
	}
}
