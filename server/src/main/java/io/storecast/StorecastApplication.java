package io.storecast;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.modulith.Modulithic;

/** Storecast: one real-time channel between a retail business, its customers and its staff. */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@Modulithic(systemName = "Storecast", sharedModules = "platform")
public class StorecastApplication {

	public static void main(String[] args) {
		SpringApplication.run(StorecastApplication.class, args);
	}
}
