// The guide's linked-list heap (allocator.rs)
unsafe fn add_free_region(&mut self, addr: usize, size: usize) {  //@add_free_region
    assert_eq!(align_up(addr, mem::align_of::<ListNode>()), addr);
    assert!(size >= mem::size_of::<ListNode>());
    let mut node = ListNode::new(size);
    node.next = self.head.next.take();  //@add_free_region:push
    let node_ptr = addr as *mut ListNode;
    node_ptr.write(node);
    self.head.next = Some(&mut *node_ptr);
}

fn find_region(&mut self, size: usize, align: usize)
    -> Option<(&'static mut ListNode, usize)> {  //@find_region
    let mut current = &mut self.head;
    while let Some(ref mut region) = current.next {
        let alloc_start = align_up(region.start_addr(), align);  //@find_region:align
        let alloc_end = alloc_start.checked_add(size)?;  //@find_region:overflow
        if alloc_end <= region.end_addr() {
            let excess_size = region.end_addr() - alloc_end;
            if excess_size > 0 && excess_size < mem::size_of::<ListNode>() {
                // The remaining region is too small for a ListNode.
                // (The guide's bare `continue` never moves on: it would look at
                // this region forever. Its evident intent is to pass it over.)
                current = current.next.as_mut().unwrap();  //@find_region:leftover
                continue;
            }
            // Found a suitable region
            return Some((current.next.take().unwrap(), alloc_start));  //@find_region:found
        } else {
            current = current.next.as_mut().unwrap();  //@find_region:too-small find_region:too-small-aligned
        }
    }
    None  //@find_region:none
}

pub fn allocate(&mut self, layout: Layout) -> *mut u8 {  //@allocate
    let (size, align) = LinkedListAllocator::size_align(layout);  //@allocate:size
    if let Some((region, alloc_start)) = self.find_region(size, align) {
        let alloc_end = alloc_start + size;
        let excess_size = region.end_addr() - alloc_end;
        if excess_size >= mem::size_of::<ListNode>() {
            // Create a new node for the remaining memory
            unsafe {
                self.add_free_region(alloc_end, excess_size);  //@allocate:leftover
            }
        }
        alloc_start as *mut u8  //@allocate:padding
    } else {
        ptr::null_mut()  //@allocate:null
    }
}

pub fn deallocate(&mut self, ptr: *mut u8, layout: Layout) {  //@deallocate
    let (size, _) = LinkedListAllocator::size_align(layout);  //@deallocate:size
    unsafe {
        self.add_free_region(ptr as usize, size);  //@deallocate:push
    }
}

fn size_align(layout: Layout) -> (usize, usize) {  //@size_align
    let layout = layout
        .align_to(mem::align_of::<ListNode>())
        .expect("adjusting alignment failed")
        .pad_to_align();
    let size = layout.size().max(mem::size_of::<ListNode>());
    (size, layout.align())
}
