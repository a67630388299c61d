import { Kafka, logLevel } from "kafkajs";
import { eventLogContract } from "./event-log.contract.ts";
import { createKafkaLog } from "./kafka-log.ts";
import { KAFKA_BROKERS, uniqueName } from "./test-util.ts";

eventLogContract("kafka", async () => {
  const topic = uniqueName("test-events");
  return {
    open: () => createKafkaLog({ brokers: KAFKA_BROKERS, topic }),
    cleanup: async () => {
      const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
});
