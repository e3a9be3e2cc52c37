ALTER TABLE "devices" ADD COLUMN "desired_config" jsonb;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "desired_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "desired_firmware" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "desired_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "reported_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "reported_status" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "reported_error" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "reported_config" jsonb;--> statement-breakpoint
CREATE INDEX "devices_config_pending_idx" ON "devices" USING btree ("org_id","name","id") WHERE desired_version > 0 and (reported_version < desired_version or reported_status is distinct from 'applied');--> statement-breakpoint
CREATE INDEX "devices_config_failed_idx" ON "devices" USING btree ("org_id","name","id") WHERE reported_status = 'failed' and reported_version = desired_version;