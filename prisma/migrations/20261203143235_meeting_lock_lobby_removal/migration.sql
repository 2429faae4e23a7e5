-- AlterTable
ALTER TABLE "Meeting" ADD COLUMN     "lobbyEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "locked" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "MeetingRemoval" (
    "meetingId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "removedById" UUID NOT NULL,
    "isGuest" BOOLEAN NOT NULL,
    "displayName" VARCHAR(80) NOT NULL,
    "ip" VARCHAR(64),
    "removedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MeetingRemoval_pkey" PRIMARY KEY ("meetingId","userId")
);

-- CreateIndex
CREATE INDEX "MeetingRemoval_meetingId_ip_idx" ON "MeetingRemoval"("meetingId", "ip");

-- AddForeignKey
ALTER TABLE "MeetingRemoval" ADD CONSTRAINT "MeetingRemoval_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MeetingRemoval" ADD CONSTRAINT "MeetingRemoval_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

