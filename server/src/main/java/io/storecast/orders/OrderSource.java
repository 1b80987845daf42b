package io.storecast.orders;

/** How an order reached Storecast; demo orders are imported history and never notify anyone. */
public enum OrderSource {
	API, WEBHOOK, DEMO
}
