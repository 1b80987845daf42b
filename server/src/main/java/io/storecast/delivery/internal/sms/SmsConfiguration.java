package io.storecast.delivery.internal.sms;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.delivery.internal.channel.ChannelEvents;

/** The SMS adapter, present only when an SMSC is configured ({@code storecast.delivery.sms.smpp.host}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${storecast.delivery.sms.smpp.host:}'.isBlank()")
class SmsConfiguration {

	@Bean(initMethod = "start", destroyMethod = "close")
	SmppChannel smppChannel(SmsSettings settings, ObjectProvider<ChannelEvents> events, MeterRegistry meters) {
		return new SmppChannel(settings, events::getIfAvailable, meters, Clock.systemUTC());
	}
}
