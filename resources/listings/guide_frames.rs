// The guide's bitmap frame allocator (memory.rs)
pub fn allocate_frame(&mut self) -> Option<Frame> {  //@allocate_frame
    // Start searching from the last allocated position
    for frame_num in self.next_free..self.total_frames {
        if !self.is_frame_used(frame_num) {  //@allocate_frame:scan
            self.mark_frame_used(frame_num);  //@allocate_frame:found
            self.used_frames += 1;
            self.next_free = frame_num + 1;
            let start_address = PhysAddr::new(frame_num as u64 * FRAME_SIZE as u64);
            return Some(Frame { start_address });
        }
    }
    // If we didn't find anything, search from the beginning
    for frame_num in 0..self.next_free {  //@allocate_frame:wrap
        if !self.is_frame_used(frame_num) {  //@allocate_frame:wrap-scan
            self.mark_frame_used(frame_num);  //@allocate_frame:wrap-found
            self.used_frames += 1;
            self.next_free = frame_num + 1;
            let start_address = PhysAddr::new(frame_num as u64 * FRAME_SIZE as u64);
            return Some(Frame { start_address });
        }
    }
    None // Out of memory  //@allocate_frame:none
}

pub fn free_frame(&mut self, frame: Frame) {  //@free_frame
    let frame_num = frame.start_address.as_frame_number() as usize;
    if self.is_frame_used(frame_num) {
        self.mark_frame_free(frame_num);  //@free_frame:free
        self.used_frames -= 1;
        // Update next_free to potentially speed up next allocation
        if frame_num < self.next_free {
            self.next_free = frame_num;  //@free_frame:hint
        }
    }
}
