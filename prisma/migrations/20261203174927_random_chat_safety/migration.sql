-- Random-chat safety (issue 12): reports from a match (devices, addresses, prior counts), random-chat blocks, bans by
-- user/device/address with who lifted them, appeals (one pending per ban), the watch list. Report, Ban and Appeal
-- existed with no code writing them; their new NOT NULL columns assume no rows.
-- CreateEnum
CREATE TYPE "ReportReason" AS ENUM ('NUDITY', 'HARASSMENT', 'SPAM', 'UNDERAGE', 'HATE', 'OTHER');

-- CreateEnum
CREATE TYPE "WatchKind" AS ENUM ('DEVICE', 'IP');

-- AlterEnum: an appeal is accepted or rejected (renamed in place: rows keep their status)
ALTER TYPE "AppealStatus" RENAME VALUE 'GRANTED' TO 'ACCEPTED';
ALTER TYPE "AppealStatus" RENAME VALUE 'DENIED' TO 'REJECTED';

-- DropForeignKey
ALTER TABLE "Ban" DROP CONSTRAINT "Ban_userId_fkey";

-- DropIndex
DROP INDEX "Ban_userId_idx";

-- AlterTable
ALTER TABLE "Appeal" ADD COLUMN     "note" VARCHAR(1000),
ALTER COLUMN "message" SET DATA TYPE VARCHAR(1000);

-- A user ban names its user in "value" like the other kinds
UPDATE "Ban" SET "value" = "userId"::text WHERE "value" IS NULL AND "userId" IS NOT NULL;

-- AlterTable
ALTER TABLE "Ban" DROP COLUMN "userId",
ADD COLUMN     "liftedById" UUID,
ALTER COLUMN "value" SET NOT NULL;

-- AlterTable
ALTER TABLE "Report" DROP COLUMN "context",
DROP COLUMN "details",
ADD COLUMN     "comment" VARCHAR(500),
ADD COLUMN     "matchId" VARCHAR(64) NOT NULL,
ADD COLUMN     "reportedDeviceId" VARCHAR(64) NOT NULL,
ADD COLUMN     "reportedIp" VARCHAR(64) NOT NULL,
ADD COLUMN     "reportedPriorReports" INTEGER NOT NULL,
ADD COLUMN     "reporterDeviceId" VARCHAR(64) NOT NULL,
ADD COLUMN     "reporterIp" VARCHAR(64) NOT NULL,
ADD COLUMN     "reporterPriorFiled" INTEGER NOT NULL,
ADD COLUMN     "reporterPriorReports" INTEGER NOT NULL,
DROP COLUMN "reason",
ADD COLUMN     "reason" "ReportReason" NOT NULL;

-- CreateTable
CREATE TABLE "RandomBlock" (
    "id" UUID NOT NULL,
    "matchId" VARCHAR(64) NOT NULL,
    "blockerId" UUID NOT NULL,
    "blockedId" UUID NOT NULL,
    "blockerDeviceId" VARCHAR(64) NOT NULL,
    "blockedDeviceId" VARCHAR(64) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RandomBlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchEntry" (
    "id" UUID NOT NULL,
    "kind" "WatchKind" NOT NULL,
    "value" VARCHAR(128) NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "held" BOOLEAN NOT NULL DEFAULT false,
    "until" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewedAt" TIMESTAMPTZ(3),
    "reviewedById" UUID,

    CONSTRAINT "WatchEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RandomBlock_blockedId_idx" ON "RandomBlock"("blockedId");

-- CreateIndex
CREATE INDEX "RandomBlock_blockerDeviceId_idx" ON "RandomBlock"("blockerDeviceId");

-- CreateIndex
CREATE INDEX "RandomBlock_blockedDeviceId_idx" ON "RandomBlock"("blockedDeviceId");

-- CreateIndex
CREATE UNIQUE INDEX "RandomBlock_matchId_blockerId_key" ON "RandomBlock"("matchId", "blockerId");

-- CreateIndex
CREATE INDEX "WatchEntry_kind_value_idx" ON "WatchEntry"("kind", "value");

-- CreateIndex
CREATE INDEX "WatchEntry_reviewedAt_until_idx" ON "WatchEntry"("reviewedAt", "until");

-- CreateIndex
CREATE UNIQUE INDEX "Appeal_one_pending_per_ban" ON "Appeal"("banId") WHERE (status = 'PENDING');

-- CreateIndex
CREATE INDEX "Ban_liftedAt_expiresAt_idx" ON "Ban"("liftedAt", "expiresAt");

-- CreateIndex
CREATE INDEX "Report_reportedDeviceId_createdAt_idx" ON "Report"("reportedDeviceId", "createdAt");

-- CreateIndex
CREATE INDEX "Report_reporterId_idx" ON "Report"("reporterId");

-- CreateIndex
CREATE INDEX "Report_reporterDeviceId_idx" ON "Report"("reporterDeviceId");

-- CreateIndex
CREATE UNIQUE INDEX "Report_matchId_reporterId_key" ON "Report"("matchId", "reporterId");

-- AddForeignKey
ALTER TABLE "Ban" ADD CONSTRAINT "Ban_liftedById_fkey" FOREIGN KEY ("liftedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RandomBlock" ADD CONSTRAINT "RandomBlock_blockerId_fkey" FOREIGN KEY ("blockerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RandomBlock" ADD CONSTRAINT "RandomBlock_blockedId_fkey" FOREIGN KEY ("blockedId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchEntry" ADD CONSTRAINT "WatchEntry_reviewedById_fkey" FOREIGN KEY ("reviewedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

