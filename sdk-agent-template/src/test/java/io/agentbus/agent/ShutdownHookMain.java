package io.agentbus.agent;

import io.agentbus.time.Scheduler;

/**
 * Run in a child JVM by {@link ShutdownHookTest}: starts an agent, then exits the JVM without
 * stopping it. Prints every message the bus publishes, synchronously, so the parent sees whether
 * the shutdown hook announced the agent offline.
 */
public final class ShutdownHookMain {
  private ShutdownHookMain() {}

  public static void main(String[] args) throws Exception {
    boolean hook = Boolean.parseBoolean(args[0]);
    var bus = io.agentbus.MessageBus.builder()
        .transport(io.agentbus.transport.inmemory.InMemoryTransport.create())
        .codec(io.agentbus.codec.json.JsonCodec.create())
        .addInterceptor(new io.agentbus.spi.MessageInterceptor() {
          @Override
          public io.agentbus.Headers beforePublish(String subject, io.agentbus.AgentMessage m,
              io.agentbus.Headers h, byte[] payload) {
            System.out.println("published " + subject + " " + m.content());
            System.out.flush();
            return h;
          }
        })
        .build();
    AgentContext context = AgentContext.builder(bus).scheduler(Scheduler.system())
        .shutdownHook(hook).build();
    AbstractAgent agent = new AbstractAgent(context) {
      @Override
      public String id() {
        return "worker-1";
      }
    };
    agent.addListener((a, from, to, failure) -> {
      System.out.println("transition " + from + "->" + to);
      System.out.flush();
    });
    agent.startAsync().awaitRunning(java.time.Duration.ofSeconds(10));
    System.out.println("running");
    System.out.flush();
    System.exit(0);
  }
}
