CREATE TABLE "webhook_alerts" (
	"webhook_id" integer PRIMARY KEY NOT NULL,
	"disabled_alerted_at" timestamp with time zone,
	"failing_alerted_at" timestamp with time zone,
	"failing_streak_alerted" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "webhook_alerts" ADD CONSTRAINT "webhook_alerts_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;