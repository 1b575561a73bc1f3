package io.agentbus.agent;

import io.agentbus.MessageBus;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.time.Scheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;

/** Buses for tests: in memory, JSON, recording what they publish. */
public final class TestBus {
  private TestBus() {}

  public static MessageBus create(Scheduler scheduler, Published published) {
    return MessageBus.builder()
        .transport(InMemoryTransport.create())
        .codec(JsonCodec.create())
        .scheduler(scheduler)
        .addInterceptor(published)
        .build();
  }
}
