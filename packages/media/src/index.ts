// mediasoup model (worker pool, rooms, peers): arrives with the SFU meetings issue.
export {};
