CREATE TABLE "fleet_delivery_counts" (
	"org_id" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "fleet_delivery_counts_org_id_bucket_outcome_pk" PRIMARY KEY("org_id","bucket","outcome")
);
--> statement-breakpoint
CREATE TABLE "fleet_event_counts" (
	"org_id" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "fleet_event_counts_org_id_bucket_type_pk" PRIMARY KEY("org_id","bucket","type")
);
--> statement-breakpoint
CREATE TABLE "fleet_rollups" (
	"name" text PRIMARY KEY NOT NULL,
	"done_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fleet_status_samples" (
	"org_id" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"online" integer NOT NULL,
	"offline" integer NOT NULL,
	"utilizing" integer NOT NULL,
	"unplugged" integer NOT NULL,
	"never_connected" integer NOT NULL,
	CONSTRAINT "fleet_status_samples_org_id_bucket_pk" PRIMARY KEY("org_id","bucket")
);
--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_contact_ip" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_signals" jsonb;--> statement-breakpoint
ALTER TABLE "fleet_delivery_counts" ADD CONSTRAINT "fleet_delivery_counts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fleet_event_counts" ADD CONSTRAINT "fleet_event_counts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fleet_status_samples" ADD CONSTRAINT "fleet_status_samples_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fleet_delivery_counts_bucket_idx" ON "fleet_delivery_counts" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "fleet_event_counts_bucket_idx" ON "fleet_event_counts" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "fleet_status_samples_bucket_idx" ON "fleet_status_samples" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "devices_org_offline_seen_idx" ON "devices" USING btree ("org_id","last_seen_at" DESC NULLS LAST) WHERE "devices"."status" = 'offline' and "devices"."last_seen_at" is not null;--> statement-breakpoint
CREATE INDEX "devices_org_never_connected_idx" ON "devices" USING btree ("org_id","name","id") WHERE "devices"."status" = 'offline' and "devices"."last_seen_at" is null;--> statement-breakpoint
CREATE INDEX "signals_device_name_received_idx" ON "signals" USING btree ("device_id","name","received_at");--> statement-breakpoint
CREATE INDEX "signals_received_brin_idx" ON "signals" USING brin ("received_at");--> statement-breakpoint
CREATE INDEX "events_created_brin_idx" ON "events" USING brin ("created_at");