// blog_os's fixed-size block allocator ("Allocator Designs"); its fallback here is the
// guide's linked-list heap, in blog_os the linked_list_allocator crate's Heap
const BLOCK_SIZES: &[usize] = &[8, 16, 32, 64, 128, 256, 512, 1024, 2048];

fn list_index(layout: &Layout) -> Option<usize> {  //@list_index
    let required_block_size = layout.size().max(layout.align());
    BLOCK_SIZES.iter().position(|&s| s >= required_block_size)  //@list_index:found
}

fn fallback_alloc(&mut self, layout: Layout) -> *mut u8 {  //@fallback_alloc
    match self.fallback_allocator.allocate_first_fit(layout) {  //@fallback_alloc:search
        Ok(ptr) => ptr.as_ptr(),
        Err(_) => ptr::null_mut(),  //@fallback_alloc:null
    }
}

unsafe fn alloc(&self, layout: Layout) -> *mut u8 {  //@alloc
    let mut allocator = self.lock();
    match list_index(&layout) {
        Some(index) => match allocator.list_heads[index].take() {
            Some(node) => {
                allocator.list_heads[index] = node.next.take();  //@alloc:pop
                node as *mut ListNode as *mut u8
            }
            None => {
                // no block exists in list => allocate new block
                let block_size = BLOCK_SIZES[index];  //@alloc:empty
                // only works if all block sizes are a power of 2
                let block_align = block_size;
                let layout = Layout::from_size_align(block_size, block_align).unwrap();
                allocator.fallback_alloc(layout)  //@alloc:new-block
            }
        },
        None => allocator.fallback_alloc(layout),  //@alloc:larger
    }
}

unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {  //@dealloc
    let mut allocator = self.lock();
    match list_index(&layout) {
        Some(index) => {
            let new_node = ListNode { next: allocator.list_heads[index].take() };
            let new_node_ptr = ptr as *mut ListNode;
            new_node_ptr.write(new_node);
            allocator.list_heads[index] = Some(&mut *new_node_ptr);  //@dealloc:push
        }
        None => {
            let ptr = NonNull::new(ptr).unwrap();
            allocator.fallback_allocator.deallocate(ptr, layout);  //@dealloc:larger dealloc:fallback
        }
    }
}

// GlobalAlloc's default realloc, which blog_os keeps: it always moves
unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {  //@realloc
    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
    let new_ptr = self.alloc(new_layout);  //@realloc:alloc
    if !new_ptr.is_null() {
        ptr::copy_nonoverlapping(ptr, new_ptr, cmp::min(layout.size(), new_size));  //@realloc:copy
        self.dealloc(ptr, layout);
    }
    new_ptr  //@realloc:null
}
