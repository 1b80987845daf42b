package io.storecast.gateway;

/** Where the WebSocket gateway listens, and how many connections it holds on this node. */
public interface Gateway {

	int port();

	String path();

	int connections();
}
